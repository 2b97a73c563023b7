// Loaded by gradio_words.py, which writes the catalogue's words in place of WORDS_HERE and DEFAULT_HERE.
() => {
  const WORDS = WORDS_HERE;
  const DEFAULT = DEFAULT_HERE;
  const ATTRIBUTES = ["title", "aria-label"];
  // every language's words of an entry -> the entry's index, to translate from whichever language is shown
  const index = (kind) => { const m = new Map(); for (const list of Object.values(WORDS[kind])) list.forEach((w, i) => m.set(w, i)); return m; };
  const exact = index("exact"), prefix = index("prefix");
  const lang = () => (WORDS.exact[document.documentElement.lang] ? document.documentElement.lang : DEFAULT);
  const say = (value) => {
    const t = value.trim();
    if (!t) return null;
    const want = lang();
    if (exact.has(t)) { const w = WORDS.exact[want][exact.get(t)]; return w === t ? null : value.replace(t, w); }
    for (const [w, i] of prefix) {
      if (t === w || t.startsWith(w + " ")) { const to = WORDS.prefix[want][i]; return to === w ? null : value.replace(w, to); }
    }
    return null;
  };
  const fixText = (node) => { const w = say(node.data); if (w !== null) node.data = w; };
  const fixAttributes = (el) => { for (const a of ATTRIBUTES) { const v = el.getAttribute(a); if (v) { const w = say(v); if (w !== null) el.setAttribute(a, w); } } };
  const walk = (root) => {
    if (root.nodeType === Node.TEXT_NODE) { fixText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    fixAttributes(root);
    const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = texts.nextNode(); n; n = texts.nextNode()) fixText(n);
    root.querySelectorAll("[title],[aria-label]").forEach(fixAttributes);
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "characterData") fixText(c.target);
      else if (c.type === "attributes") fixAttributes(c.target);
      else c.addedNodes.forEach(walk);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES });
  window.engageLanguage = (code) => { document.documentElement.lang = code; walk(document.body); };
}
