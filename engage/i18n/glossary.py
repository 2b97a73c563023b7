"""The words for the report's terms, one per language and term, used everywhere (reviewed for consistency: the four
states are named as the Vietnamese report names them, "Chán nản" (Boredom), "Tập trung" (Engagement), "Bối rối"
(Confusion), "Bực bội" (Frustration))."""
from __future__ import annotations

STATES = {
    "en": {"Boredom": "Boredom", "Engagement": "Engagement", "Confusion": "Confusion", "Frustration": "Frustration"},
    "vi": {"Boredom": "Chán nản", "Engagement": "Tập trung", "Confusion": "Bối rối", "Frustration": "Bực bội"},
}
# DAiSEE's 0-3 scale
LEVELS = {
    "en": ("very low", "low", "high", "very high"),
    "vi": ("rất thấp", "thấp", "cao", "rất cao"),
}
# A state's level in words where the language says it otherwise (the report: frustration's level 0 is "không bực bội")
LEVEL_OVERRIDES = {"vi": {("Frustration", 0): "không bực bội"}}
EMOTIONS = {
    "en": {"angry": "angry", "disgust": "disgust", "fear": "fear", "happy": "happy", "sad": "sad", "surprise": "surprise", "neutral": "neutral"},
    "vi": {"angry": "tức giận", "disgust": "ghê sợ", "fear": "sợ hãi", "happy": "vui vẻ", "sad": "buồn", "surprise": "ngạc nhiên",
           "neutral": "trung tính"},
}
METHODS = {
    "en": {"mlp": "MLP heads (the report's method)", "zero-shot": "Zero-shot level probabilities (engage's, untrained)"},
    "vi": {"mlp": "Đầu MLP (phương pháp của báo cáo)", "zero-shot": "Xác suất mức độ zero-shot (của engage, không huấn luyện)"},
}


def state_name(state: str, lang: str) -> str:
    return STATES[lang][state]


def level_name(level: int, lang: str, state: str | None = None) -> str:
    return LEVEL_OVERRIDES.get(lang, {}).get((state, level)) or LEVELS[lang][level]


def emotion_name(emotion: str, lang: str) -> str:
    return EMOTIONS[lang][emotion]
