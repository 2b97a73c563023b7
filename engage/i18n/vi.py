"""Every word of the page in Vietnamese, by key (the same keys as ``en``; the report's terms from ``glossary``)."""
from __future__ import annotations

TEXT = {
    # the page
    "page.title": "engage: trạng thái học tập của người học từ video",
    "page.intro": (
        "# engage\nChán nản, tập trung, bối rối và bực bội (mức 0-3 của DAiSEE) từ webcam, ảnh hoặc video, với đặc trưng "
        "của Qwen2.5-VL. Các con số nói được gì và không nói được gì: xem thẻ **Giới thiệu** (thẻ cuối; trên điện thoại, "
        "trong ⋯ cạnh các thẻ)."
    ),
    "page.language": "Language / Ngôn ngữ",
    "page.method": "Phương pháp",
    "tab.webcam": "Webcam",
    "tab.image": "Ảnh",
    "tab.video": "Video",
    "tab.classroom": "Lớp học",
    "tab.report_check": "Kiểm tra báo cáo",
    "tab.about": "Giới thiệu",
    # Webcam
    "webcam.intro_zerogpu": (
        "Bấm ghi: ứng dụng giữ một khung hình mỗi giây và cho một kết quả sau mỗi vài giây, giãn cách để thời gian GPU "
        "của bạn đủ cho mười phút camera (dòng cạnh kết quả cho biết bao lâu một lần), mỗi kết quả trên 6-10 giây gần "
        "nhất (kết quả đầu sau 2 giây). Khung hình chỉ nằm trong bộ nhớ của phiên này và bị xoá cùng phiên."
    ),
    "webcam.intro_local": (
        "Bấm ghi: ứng dụng giữ một khung hình mỗi giây và cho một kết quả sau mỗi 1-2 giây, mỗi kết quả trên 6-10 giây "
        "gần nhất (kết quả đầu sau 2 giây). Khung hình chỉ nằm trong bộ nhớ của phiên này và bị xoá cùng phiên."
    ),
    "webcam.camera": "Camera",
    "webcam.waiting": "Đang chờ camera…",
    "webcam.placeholder": "Bật camera để xem bốn trạng thái.",
    "common.summary": "tóm tắt",
    "common.examples": "Ví dụ",
    "common.levels": "Các mức",
    "common.result_json": "Kết quả (JSON)",
    "common.swipe_table": "↔ Các bảng dưới đây rộng hơn màn hình: vuốt ngang để xem mọi cột.",
    "common.no_result": "Không có kết quả: thông báo ở trên cùng cho biết lý do.",
    # Image
    "image.photo": "Ảnh",
    "image.analyse": "Phân tích ảnh",
    "image.placeholder": "Phân tích một ảnh để xem bốn trạng thái.",
    "image.json": "Kết quả dạng JSON",
    # Video
    "video.clip": "Đoạn video",
    "video.analyse": "Phân tích video",
    "video.placeholder": "Phân tích một video để xem bốn trạng thái.",
    "video.levels": "Các mức (cả đoạn)",
    "video.timeline": "Theo thời gian",
    "video.share": "Tỉ lệ thời gian",
    "video.share_table": "Tỉ lệ thời gian ở mỗi mức (%)",
    "video.files": "Tải JSON và CSV",
    "video.json": "Kết quả từng cửa sổ dạng JSON",
    "video.json_label": "Kết quả từng cửa sổ (JSON)",
    # Classroom
    "class.intro": (
        "Mọi khuôn mặt trong khung hình được theo dõi với một mã cố định và phân tích trên ảnh cắt khuôn mặt của chính "
        "người đó ở 1 khung hình/giây: bốn trạng thái, bảy cảm xúc cơ bản (zero-shot, cùng mô hình) và hướng đầu. Một "
        "khuôn mặt được tính là học sinh khi xuất hiện trong 3 trên 5 giây, và giữ mã của mình khi vắng mặt đến {away}, "
        "nhận ra nhờ khuôn mặt. Mặc định tối đa {faces} khuôn mặt mỗi khung hình (các khuôn mặt lớn nhất). Đặt tên học "
        "sinh từ danh sách ảnh hoặc gõ tay bên dưới; xuất phiên; viết báo cáo lớp học. Tên, danh sách lớp và kết quả chỉ "
        "nằm trong phiên trình duyệt này, và bị xoá {lifetime}."
    ),
    "class.notice": (
        "> **Chế độ này được dùng ở đâu.** Suy đoán cảm xúc của người ở các cơ sở giáo dục bị cấm tại EU từ ngày "
        "2 tháng 2 năm 2025 (Đạo luật AI, Điều 5(1)(f); trừ mục đích y tế và an toàn). Chế độ này dành cho nghiên cứu "
        "và minh hoạ giảng dạy, với sự đồng ý của mọi người được quay. Mô hình 68 điểm mốc khuôn mặt được huấn luyện "
        "trên iBUG 300-W, giấy phép của bộ dữ liệu này không cho phép dùng cho mục đích thương mại."
    ),
    "class.video": "Video lớp học",
    "class.photo": "hoặc một ảnh",
    "class.max_faces": "Số khuôn mặt phân tích mỗi khung hình (lớn nhất trước)",
    "class.analyse": "Phân tích lớp học",
    "class.roster": "Danh sách lớp (tuỳ chọn): đặt tên học sinh từ ảnh của họ",
    "class.roster_note": (
        "Tải lên một hoặc nhiều ảnh cho mỗi học sinh: tên lấy từ ô nhập (cho mọi ảnh của một lần tải) hoặc từ tên của "
        "từng tệp. Khuôn mặt lớn nhất của mỗi ảnh được mô tả bằng mô hình nhận dạng khuôn mặt của dlib và so khớp với "
        "các khuôn mặt trong lớp, để bảng điều khiển, bảng, tệp xuất và báo cáo gọi tên học sinh mà không cần gõ; khuôn "
        "mặt không khớp với ai vẫn là \"Học sinh N\". **Danh sách lớp (tên và mô tả khuôn mặt, không bao giờ là ảnh) "
        "chỉ nằm trong phiên trình duyệt này và bị xoá {lifetime}, trừ khi bạn xuất nó**; danh sách đã xuất có thể tải "
        "lên lại ở đây. Mô tả khuôn mặt là dữ liệu sinh trắc học: hãy hỏi ý kiến những người trong ảnh trước."
    ),
    "class.roster_files": "Ảnh của một học sinh, hoặc của nhiều học sinh đặt tên theo họ (hoặc tệp danh sách .json)",
    "class.roster_name": "Tên (nếu trống, lấy từ tên tệp: ana_lopez-2.jpg là Ana Lopez)",
    "class.roster_add": "Thêm vào danh sách",
    "class.roster_clear": "Xoá danh sách",
    "class.roster_empty": "Danh sách lớp đang trống.",
    "class.roster_table": "Danh sách lớp",
    "class.roster_file": "Danh sách đã xuất (tên và mô tả khuôn mặt, không có ảnh)",
    "class.roster_export": "Xuất danh sách",
    "class.camera_accordion": "Trực tiếp: camera lớp học",
    "class.camera": "Camera lớp học",
    "class.camera_turns": (
        "Cùng lúc chỉ chạy tối đa {n} camera lớp học, mỗi lượt tối đa {minutes}. Khi cả hai đang được dùng, camera của "
        "bạn sẽ chờ đến khi một lượt kết thúc (hình ảnh đứng yên cho đến lúc đó); khi hết lượt, hãy bấm ghi lại: buổi "
        "học tiếp tục từ chỗ đang dừng."
    ),
    "class.camera_free": "Hiện có một camera lớp học còn trống: bấm ghi để bắt đầu.",
    "class.camera_yours": "Camera của bạn đang chạy: lượt này kết thúc sau khoảng {minutes} (khi đó hãy bấm ghi lại để tiếp tục).",
    "class.camera_wait": (
        "Cả {n} camera lớp học đang được dùng: camera của bạn chờ đến khi một lượt kết thúc, chậm nhất khoảng {minutes}, "
        "và hình ảnh đứng yên cho đến lúc đó."
    ),
    "limits.session_busy": (
        "Bạn đang có {n} yêu cầu phân tích đang chờ hoặc đang chạy: hãy đợi một yêu cầu xong rồi thử lại (để hàng đợi "
        "còn chỗ cho người khác)."
    ),
    "limits.request_pixels": (
        "Các ảnh này tổng cộng {mp} megapixel; mỗi yêu cầu chỉ được tối đa {limit}. Hãy gửi ảnh nhỏ hơn (mô hình chỉ "
        "xem tối đa 1280 px mỗi cạnh) hoặc ít ảnh hơn."
    ),
    "class.frame": "Khung hình cuối, kèm mã",
    "class.students": "Học sinh",
    "class.timeline": "Cả lớp theo thời gian",
    "class.table": "Từng học sinh",
    "class.emotion_note": (
        "Theo từng học sinh và cảm xúc: tỉ lệ thời gian đã phân tích mà cảm xúc đó có xác suất cao nhất, rồi xác suất "
        "trung bình của nó (zero-shot, cùng mô hình)."
    ),
    "class.renames": "Đổi tên học sinh (3=1: học sinh 3 là học sinh 1)",
    "class.renames_example": "1=An, 2=Bình, 3=1",
    "class.rename": "Đổi tên",
    "class.files": "Xuất phiên (JSON và CSV)",
    "class.export": "Xuất phiên ngay",
    "class.use_model": "Viết bằng Qwen2.5-VL (nếu không, dùng mẫu cố định)",
    "class.use_model_info": "Một lần gọi GPU tối đa {seconds} giây",
    "class.write_report": "Viết báo cáo lớp học",
    # Report check
    "audit.runs": "Các lần chạy so với đường cơ sở lớp đa số",
    # counts ("{n} …"), by the number's form
    "unit.frame.one": "{n} khung hình",
    "unit.frame.many": "{n} khung hình",
    "unit.window.one": "{n} cửa sổ",
    "unit.window.many": "{n} cửa sổ",
    "unit.call.one": "{n} lần gọi",
    "unit.call.many": "{n} lần gọi",
    # results (Image, Webcam, Video)
    "result.covers_image": "một ảnh tĩnh",
    "result.covers_webcam": "{seconds} giây gần nhất của camera ({frames}, 1 khung hình/giây)",
    "result.span_whole": "{duration} giây",
    "result.span_first": "{done} giây đầu trong {duration} giây",
    "result.covers_video": "{span} video ({windows}, {frames} lấy mẫu khoảng 1 khung hình/giây)",
    "result.headline": "**{method}** trên {covers}.",
    "result.table_head": "| trạng thái | mức khả dĩ nhất | xác suất | mức kỳ vọng |",
    "result.averaged": (
        "Các xác suất trên là trung bình theo các cửa sổ, có trọng số theo độ dài. Biểu đồ tỉ lệ thời gian đếm, từng cửa "
        "sổ một, mức nào có khả năng nhất, nên hai cách có thể khác nhau: một mức thường đứng thứ hai sát nút có thể cao "
        "nhất ở giá trị trung bình mà không cao nhất ở cửa sổ nào."
    ),
    "result.see_above": "Không có kết quả: xem thông báo ở trên.",
    "result.one_window": "Chỉ một cửa sổ: biểu đồ theo thời gian cần đoạn video dài hơn một cửa sổ.",
    "result.analysing": "Đang phân tích…",
    "result.share_state": "trạng thái",
    "result.share_level": "mức {level}",
    "video.partial": (
        "**Đã phân tích {done} trên {total} cửa sổ** ({done_min} trên {total_min} phút): kết quả cho đến giờ; biểu đồ theo "
        "thời gian dài thêm khi các cửa sổ khác trở về."
    ),
    # figures
    "plot.bars_title": "Xác suất của từng mức",
    "plot.test_weights": "trọng số thử ngẫu nhiên",
    "plot.panel": "{state}: mức {level}",
    "plot.bar_hover": "mức {level} ({name}): {p}",
    "plot.level_axis": "mức",
    "plot.timeline_title": "Xác suất các mức theo thời gian",
    "plot.legend_level": "mức {level}",
    "plot.timeline_hover": "{state} mức {level}: {p} lúc {t} giây",
    "plot.time_axis": "thời gian (giây), tâm của mỗi cửa sổ",
    "plot.share_title": "Tỉ lệ thời gian ở mỗi mức",
    # errors a visitor causes on these tabs
    "error.upload_image": "Hãy tải lên một ảnh trước (hoặc chọn một ví dụ).",
    "error.upload_video": "Hãy tải lên một video trước (hoặc chọn một ví dụ).",
    "error.no_frames": "Hãy gửi ít nhất một khung hình.",
    "error.too_many_frames": "Gửi tối đa {n} khung hình (một cửa sổ 10 giây, 1 khung hình/giây); bản ghi dài hơn hãy gửi dạng video.",
    "error.calls_failed": "Đã dừng: {n} lần gọi mô hình liên tiếp kết thúc mà không có cửa sổ nào; lần cuối: {last}",
    "error.stopped": "Đã dừng: {reason}",
    # ZeroGPU
    "gpu.title": "Thời gian GPU",
    "gpu.wait_h": "{h} giờ {m} phút",
    "gpu.wait_m": "{m} phút",
    "gpu.wait_s": "{s} giây",
    "gpu.shares": (
        "{anonymous} ngày của khách ẩn danh ({q_anonymous} giây), {free} của tài khoản miễn phí ({q_free} giây), {pro} của "
        "PRO ({q_pro} giây)"
    ),
    "gpu.tier.anonymous": "của khách ẩn danh",
    "gpu.tier.free account": "của tài khoản miễn phí",
    "gpu.tier.PRO": "của tài khoản PRO",
    "gpu.used": "Thời gian GPU đã dùng trong phiên này: {used} giây trong {calls} (còn khoảng {left} giây trong ngày {quota} giây {tier}).",
    "gpu.resets_in": "Hạn mức của bạn được đặt lại sau {wait}.",
    "gpu.resets_day": "Hạn mức của bạn được đặt lại 24 giờ sau lần dùng đầu tiên.",
    "gpu.stop": (
        "Đã dừng ở phút {done} trên {total}: ZeroGPU không còn đủ thời gian GPU hôm nay của bạn cho thêm một cửa sổ "
        "({left} giây). Phiên này đã dùng {used} giây GPU trong {calls}. {when} Mọi thứ đã phân tích vẫn hiện bên dưới và "
        "trong các tệp xuất; đăng nhập Hugging Face để có 5 phút GPU mỗi ngày thay vì 2."
    ),
    "gpu.plan_head": "Đang phân tích {minutes} phút video ({windows} dài 10 giây)",
    "gpu.plan_local": "{head}…",
    "gpu.rate_measured": "đã đo",
    "gpu.rate_first": "ước tính ban đầu",
    "gpu.plan": (
        "{head}: khoảng {gpu} giây GPU theo tốc độ {rate} {unit} giây mỗi cửa sổ, {shares}. Kết quả hiện ra khi mỗi phần "
        "xong; khi thời gian của bạn sắp hết, các phần nhỏ hơn được yêu cầu cho đến khi không phần nào vừa…"
    ),
    "gpu.webcam": (
        "Trên ZeroGPU: một kết quả mỗi {every} giây (khoảng {cost} giây GPU mỗi kết quả{first}), để {left} giây còn lại "
        "trong ngày {quota} giây {tier} đủ cho ít nhất {minutes} phút camera."
    ),
    "gpu.webcam_first": ", ước tính ban đầu cho đến khi đo được",
    "gpu.help": (
        "Đăng nhập Hugging Face để có 5 phút GPU mỗi ngày thay vì 2, thử một đoạn ngắn hơn, hoặc quay lại khi hạn mức ngày "
        "được đặt lại."
    ),
    "gpu.asked": " ({requested} giây yêu cầu, {scheduled} giây xếp lịch)",
    "gpu.refused_quota": "ZeroGPU từ chối yêu cầu này{asked}: hạn mức GPU hôm nay của bạn còn ít thời gian hơn. {help}",
    "gpu.refused_illegal": "ZeroGPU từ chối yêu cầu này{asked}: nó dài hơn mức một lần gọi cho phép. Hãy thử đoạn ngắn hơn.",
    "gpu.no_gpu": "Không có GPU trống kịp{asked}. Hãy thử lại sau một phút; khách đã đăng nhập được xếp hàng trước.",
    "gpu.worker_error": "Tiến trình GPU bị lỗi ({message}). Hãy thử lại; nếu vẫn lỗi, hãy thử đoạn ngắn hơn.",
    # warnings shown above every result
    "warning.test_weights": "Trọng số thử ngẫu nhiên: các kết quả này vô nghĩa.",
    "warning.untrained_heads": "Các đầu MLP là trọng số ngẫu nhiên chưa huấn luyện: các kết quả này vô nghĩa.",
    # class report (engage/classroom/report.py): keys "report.*"
    "report.summary_heading": "### Tóm tắt lớp học",
    "report.students.one": "{n} học sinh",
    "report.students.many": "{n} học sinh",
    "report.summary": (
        "Có {students} xuất hiện trong {minutes} phút. Mức tập trung trung bình {engagement} trên 3 ({level}). Mức bối "
        "rối cao trong {confused} và mức chán nản cao trong {bored} tổng thời gian của học sinh.{attention}"
    ),
    "report.summary_photo": (
        "Có {students} trong một bức ảnh. Mức tập trung trung bình {engagement} trên 3 ({level}). Mức bối rối cao ở {confused} "
        "và mức chán nản cao ở {bored} số em.{attention}"
    ),
    "report.summary_attention": " Học sinh nhìn về màn hình hoặc bảng trong {share} thời gian.",
    "report.level": "mức {level}",
    "report.level_between": "giữa mức {low} và mức {high}",
    "report.break": "**Gợi ý nghỉ giải lao:** {reasons}; nên thử cho lớp nghỉ hai phút hoặc đổi hoạt động.",
    "report.break_low_engagement": "mức tập trung của cả lớp thấp ({engagement} trên 3)",
    "report.break_bored": "mức chán nản cao trong {share} tổng thời gian của học sinh",
    "report.break_both": "{first} và {second}",
    "report.revisit": "**Cần ôn lại:** nhiều khuôn mặt trông bối rối; hãy giảng lại phần vừa học, kèm một ví dụ.",
    "report.students_heading": "### Học sinh",
    "report.student": "- **{name}** ({details}): {advice}",
    "report.student_bare": "- **{name}**: {advice}",
    "report.student_minutes": "{minutes} phút",
    "report.student_engagement": "tập trung {engagement}/3",
    "report.student_emotions": "cảm xúc khả dĩ nhất theo thời gian: {emotions}",
    "report.tip_low_engagement": "Mức tập trung có vẻ thấp: hãy đặt cho em một câu hỏi trực tiếp hoặc giao một bài thực hành ngắn.",
    "report.tip_confused": "Có vẻ bối rối trong {share} thời gian: hãy giải thích lại phần vừa giảng bằng một ví dụ giải mẫu.",
    "report.tip_bored": "Có vẻ chán nản trong {share} thời gian: đổi hoạt động hoặc cho nghỉ giải lao ngắn có thể giúp ích.",
    "report.tip_frustrated": "Có dấu hiệu bực bội: hãy động viên em và chia bước tiếp theo thành bước nhỏ hơn.",
    "report.tip_attention": "Nhìn về màn hình hoặc bảng trong {share} thời gian: hãy kiểm tra xem em có nhìn thấy và theo kịp bài không.",
    "report.tip_unmeasured": "Xuất hiện chưa đủ lâu để có ước lượng.",
    "report.tip_well": "Tập trung và chú ý: hãy khen em và giao thêm một bài nâng cao.",
    "report.emotions_heading": "### Cảm xúc của từng học sinh",
    "report.emotions_note": (
        "Tỉ lệ thời gian đã phân tích mà mỗi cảm xúc có xác suất cao nhất · xác suất trung bình của cảm xúc đó (zero-shot, "
        "cùng mô hình)."
    ),
    "report.emotions_student": "học sinh",
    "report.no_faces": "Không tìm thấy khuôn mặt nào trong phiên này, nên không có gì để báo cáo.",
    "report.limits": (
        "**Các con số này nói được gì và không nói được gì.** Đây là các ước lượng theo từng giây từ khuôn mặt trước "
        "camera, do một mô hình được huấn luyện trên video quay từng người học một mình trước máy tính xách tay (DAiSEE) "
        "đưa ra. Chúng có thể cho thấy xu hướng trong một tiết học và những khoảnh khắc đáng xem lại. Chúng không thể cho biết "
        "học sinh hiểu gì, cảm thấy gì hay định làm gì, và không bao giờ được dùng để chấm điểm hay kỷ luật bất kỳ ai. "
        "Những khuôn mặt bị che, quay đi hoặc quá nhỏ không được đo."
    ),
    "report.quality_failed": "Văn bản do mô hình viết không qua được bước kiểm tra chất lượng ({why}); đây là báo cáo theo mẫu.",
    "report.quality_short": "quá ngắn",
    "report.quality_letters": "quá ít chữ cái",
    "report.quality_words": "quá ít từ thông thường",
    "report.quality_repetitive": "lặp lại",
    "report.test_weights": "Do trọng số thử ngẫu nhiên viết: vô nghĩa.",
    "report.prompt": (
        "Bạn đang giúp một giáo viên sau tiết học. CHỈ dựa vào các con số dưới đây (các mức từ 0 đến 3; tỉ lệ là phần "
        "thời gian), hãy viết bằng tiếng Việt: một đoạn tóm tắt ngắn về cả lớp (3 câu), sau đó mỗi học "
        "sinh một gạch đầu dòng gồm một lời khuyên học tập, một gợi ý nghỉ giải lao hoặc điều chỉnh nhịp độ nếu cần, và "
        "một câu động viên, cuối cùng là những nội dung cần ôn lại. Gọi bốn trạng thái bằng các từ sau: Chán nản "
        "(Boredom), Tập trung (Engagement), Bối rối (Confusion), Bực bội (Frustration); các cảm xúc: tức giận (angry), "
        "ghê sợ (disgust), sợ hãi (fear), vui vẻ (happy), buồn (sad), ngạc nhiên (surprise), trung tính (neutral). Không "
        "bịa ra sự việc, tên hay con số. Chỉ viết văn bản thuần, không dùng HTML. Toàn bộ báo cáo phải viết bằng tiếng "
        "Việt.\n\n{facts}"
    ),
    # Report check and About tabs (engage/ui/report_check.py, engage/ui/about.py, engage/daisee/audit.py): keys "audit.*", "about.*"
    "audit.none": "Chưa có bản kiểm tra. Hãy chạy `python -m engage audit` để ghi `docs/audit/audit.json`.",
    "audit.intro": (
        "Các lần chạy trong nhật ký huấn luyện, các bảng và các khẳng định của báo cáo thứ nhất, được "
        "`python -m engage audit` tính lại từ chính các tệp của báo cáo (`{reference}`, tệp nhãn `{labels}`). Toàn bộ "
        "bản kiểm tra (bằng tiếng Anh) nằm ở `docs/audit/audit.md` trong kho mã."
    ),
    "audit.intro_no_labels": (
        "Các lần chạy trong nhật ký huấn luyện, các bảng và các khẳng định của báo cáo thứ nhất, được "
        "`python -m engage audit` tính lại từ chính các tệp của báo cáo (`{reference}`). Toàn bộ bản kiểm tra (bằng "
        "tiếng Anh) nằm ở `docs/audit/audit.md` trong kho mã."
    ),
    "audit.findings_title": "**Những điểm chính**",
    "audit.claims_title": "**Các khẳng định của báo cáo**",
    "audit.claims_head": "| khẳng định | kết luận | số liệu quyết định |",
    "audit.verdict.supported": "được xác nhận",
    "audit.verdict.contradicted": "bị bác bỏ",
    "audit.verdict.not_checkable": "không kiểm chứng được từ dữ liệu",
    "audit.run": "{state}, {augment}, {hidden} nút ẩn, dropout {dropout}",
    "audit.run_short": "{state}, {augment}, dropout {dropout}",
    "audit.augmented": "có tăng cường dữ liệu",
    "audit.not_augmented": "không tăng cường dữ liệu",
    "audit.augmented_short": "có tăng cường",
    "audit.not_augmented_short": "không tăng cường",
    "audit.level": "{level} ({name})",
    "audit.list_and": "{items} và {last}",
    "audit.finding.runs_match": (
        "{n} lần chạy trong nhật ký: các chỉ số tính lại từ ma trận nhầm lẫn của chúng khớp với nhật ký huấn luyện và "
        "với mục 3.6 của báo cáo."
    ),
    "audit.finding.runs_log_differs": (
        "{n} lần chạy trong nhật ký: các chỉ số tính lại từ ma trận nhầm lẫn khác nhật ký huấn luyện ở {log} chỗ; mục "
        "3.6 của báo cáo khớp với các chỉ số tính lại."
    ),
    "audit.finding.runs_report_differs": (
        "{n} lần chạy trong nhật ký: các chỉ số tính lại từ ma trận nhầm lẫn khớp với nhật ký huấn luyện, nhưng "
        "{report} con số trong mục 3.6 của báo cáo khác với chúng."
    ),
    "audit.finding.runs_both_differ": (
        "{n} lần chạy trong nhật ký: các chỉ số tính lại từ ma trận nhầm lẫn khác nhật ký huấn luyện ở {log} chỗ, và "
        "{report} con số trong mục 3.6 của báo cáo khác với chúng."
    ),
    "audit.finding.coverage": (
        "Các chỉ số trên tập kiểm tra chỉ tính trên {n} clip, không phải {test} clip của tập kiểm tra như báo cáo nêu "
        "(thiếu {missing} clip)."
    ),
    "audit.finding.constant": "{k} trên {n} lần chạy đoán cùng một mức cho mọi clip: {runs}.",
    "audit.finding.beat_majority": (
        "{k} trên {n} lần chạy vượt đường cơ sở lớp đa số về macro-F1 trên cùng các clip; cách biệt lớn nhất là {margin}."
    ),
    "audit.finding.no_runs": "Nhật ký không có lần chạy nào kèm ma trận nhầm lẫn để so với đường cơ sở lớp đa số.",
    "audit.finding.table4_test": (
        "Với {state}, bảng 4 đưa ra lần chạy tốt nhất theo macro-F1 trên tập kiểm tra ({run}), chứ không phải lần chạy "
        "tốt nhất theo macro-F1 trên tập kiểm định ({best_val})."
    ),
    "audit.finding.table4_neither": (
        "Với {state}, bảng 4 đưa ra một lần chạy không tốt nhất theo macro-F1 trên cả tập kiểm định lẫn tập kiểm tra "
        "({run}; tốt nhất trên tập kiểm định: {best_val})."
    ),
    "audit.finding.missing_not_random": (
        "Các clip bị thiếu không phải một mẫu ngẫu nhiên: {state} ở mức {level} chiếm {missing}% số clip thiếu nhưng chỉ "
        "chiếm {file}% tệp nhãn."
    ),
    "audit.finding.zero_shot_constant": "Đường cơ sở zero-shot cho {state} có điểm số y hệt {constant}.",
    "audit.constant": "việc luôn đoán mức {level} trên {where}",
    "audit.where.logged": "tập kiểm tra trong nhật ký ({n} clip)",
    "audit.where.labels": "tệp nhãn ({n} clip)",
    "audit.finding.zero_shot_below": (
        "Macro-F1 của đường cơ sở zero-shot cho {state} là {f1}, thấp hơn của đường cơ sở lớp đa số ({majority})."
    ),
    "audit.finding.table1": "Bảng 1 không nhất quán nội bộ (xem bảng trong `docs/audit/audit.md`).",
    "audit.finding.claim": "Khẳng định rằng {claim}: {verdict}.",
    "audit.finding.claim_quoted": "Khẳng định “{claim}”: {verdict}.",
    "audit.subject.f1_gain": "các đầu MLP nâng macro-F1 so với đường cơ sở zero-shot",
    "audit.subject.augmentation_helps": "tăng cường dữ liệu cho kết quả tốt nhất",
    "audit.subject.low_dropout_better": "dropout 0 hoặc 0,3 tốt hơn 0,5",
    "audit.subject.encoder_only": "phương pháp chỉ dùng bộ mã hoá hình ảnh",
    "audit.claim.f1_gain": "MLP nâng macro-F1 so với đường cơ sở zero-shot: {gains}",
    "audit.claim.f1_gain_item": "{state} {before}% → {after}% (+{gain}%)",
    "audit.claim.augmentation_helps": "Phần lớn kết quả tốt nhất đến từ các cấu hình có tăng cường dữ liệu khuôn mặt",
    "audit.claim.low_dropout_better": "Dropout 0 hoặc 0,3 cho kết quả tốt hơn 0,5",
    "audit.claim.encoder_only": "Phương pháp chỉ dùng bộ mã hoá cộng một MLP mà vẫn vượt VLM đầy đủ",
    "audit.claim.deployment": (
        "Triển khai: độ trễ 1-3 giây mỗi lần suy luận, kể cả thời gian truyền mạng; kết quả cập nhật mỗi 2 giây; "
        "18-22 GB bộ nhớ GPU; FP16"
    ),
    "audit.claim.as_written": "{text} (nguyên văn tiếng Anh, chưa có bản dịch)",
    "audit.note.zero_shot_constant": (
        "với {states}, đường cơ sở zero-shot cho điểm y hệt một bộ dự đoán hằng (luôn đoán một mức), nên nó chỉ là mức "
        "sàn chứ không phải một mô hình"
    ),
    "audit.note.weak_margin": (
        "với {states}, MLP tốt nhất chỉ vượt đường cơ sở lớp đa số trên cùng các clip chưa tới {margin} macro-F1"
    ),
    "audit.note.matched": (
        "so sánh theo cặp (cùng trạng thái và dropout): {better} cặp tốt hơn khi có tăng cường dữ liệu, {worse} cặp kém "
        "hơn, {tied} cặp ngang nhau"
    ),
    "audit.note.augment_share": (
        "{share}% số lần chạy có tăng cường dữ liệu, nên chỉ do ngẫu nhiên thì lần chạy tốt nhất cũng thường thuộc nhóm này"
    ),
    "audit.note.dropout_wins": (
        "dropout 0 hoặc 0,3 thắng 0,5 về macro-F1 trên tập kiểm tra ở {wins} trên {n} trạng thái (mỗi cấu hình chỉ chạy "
        "một lần)"
    ),
    "audit.note.lm_feature": "đặc trưng là trạng thái ẩn cuối của mô hình ngôn ngữ, nên toàn bộ VLM đều phải chạy",
    "audit.note.encoder_feature": "đặc trưng lấy từ bộ mã hoá hình ảnh",
    "audit.note.no_features": "thư mục tham chiếu không mô tả đặc trưng mà mã nguồn của báo cáo dùng",
    "audit.note.no_measurements": "thư mục tham chiếu không có số đo nào để đối chiếu khẳng định này",
    "audit.plot_title": "Macro-F1 trên tập kiểm tra<br>của từng lần chạy so với<br>đường cơ sở lớp đa số trên cùng các clip",
    "audit.plot_baseline": "đường cơ sở lớp đa số",
    "audit.plot_baseline_hover": "đường cơ sở lớp đa số: {f1}",
    "audit.plot_run": "lần chạy (tính lại từ ma trận nhầm lẫn)",
    "audit.plot_hover": "{run}: {f1} so với {majority}",
    "audit.plot_hover_constant": "{run}: {f1} so với {majority} (đoán cùng một mức cho mọi clip)",
    "audit.plot_axis": "macro-F1 trên tập kiểm tra",
    "about.what_title": "### Đây là gì",
    "about.what": (
        "engage ước lượng bốn trạng thái của người học: **chán nản, tập trung, bối rối và bực bội**, mỗi trạng thái ở "
        "một mức từ 0 đến 3 ({levels}) theo cách gán nhãn của bộ dữ liệu DAiSEE, từ luồng webcam, một ảnh hoặc một video."
    ),
    "about.model_title": "### Mô hình",
    "about.backbone": "- Mô hình nền: `{backbone}` (trạng thái ẩn {size} chiều), giữ nguyên trọng số, chạy trên `{device}`.",
    "about.local_checkpoint": "bản lưu mô hình cục bộ ({name})",
    "about.feature": (
        "- Đặc trưng (giao thức {protocol}): video được cắt thành các cửa sổ {window} giây, và mỗi cửa sổ được đưa vào "
        "mô hình qua một lần gọi bộ tiền xử lý (processor), như trong báo cáo. Mỗi cửa sổ giữ {frames}; mỗi khung hình "
        "được đổi kích thước, giữ nguyên tỉ lệ, về khoảng {min_px} đến {max_px} điểm ảnh ({sizes}), rồi các khung hình "
        "được đưa vào cùng văn bản \"{prompt}\" trong một tin nhắn hội thoại. {photo} Mô hình chạy ở {dtype} trên GPU "
        "(float32 trên CPU). {pooling} {heads}"
    ),
    "about.sizes_report": "đúng kích thước mà bộ tiền xử lý của báo cáo đọc từ các tệp công bố của mô hình",
    "about.sizes_engage": (
        "khoảng riêng, hẹp hơn của engage: bộ tiền xử lý của báo cáo giữ từ {min_px} đến {max_px} điểm ảnh, nên một "
        "ảnh cắt khuôn mặt nhỏ được phóng đại ở đây nhưng không được phóng đại trong báo cáo"
    ),
    "about.rate_one": "một khung hình mỗi giây",
    "about.rate": "{fps} khung hình mỗi giây",
    "about.frames_report": "{rate}, làm tròn xuống thành số chẵn (ít nhất 4), rải đều trong cửa sổ",
    "about.frames_whole_seconds": "một khung hình cho mỗi giây trọn vẹn",
    "about.photo_image": "Một ảnh được đưa vào dưới dạng ảnh với văn bản \"{prompt}\", như cách báo cáo đưa các ảnh tăng cường dữ liệu.",
    "about.photo_video": (
        "Một ảnh được đưa vào như một video một khung hình với cùng văn bản đó (lựa chọn của engage; báo cáo đưa ảnh vào "
        "dưới dạng ảnh)."
    ),
    "about.pooling_mean": (
        "Đặc trưng là trung bình trạng thái ẩn cuối của mô hình ngôn ngữ trên mọi token (lời nhắc hệ thống, video và "
        "văn bản). Notebook xử lý video của báo cáo lưu các trạng thái ẩn này mà chưa lấy trung bình; phép lấy trung "
        "bình dựa theo phần mô tả phương pháp trong báo cáo, cùng mã xử lý ảnh và mã triển khai của báo cáo."
    ),
    "about.pooling_other": "Đặc trưng là {pooling}.",
    "about.protocol_is_report": (
        "Đây là giao thức đọc từ mã nguồn của báo cáo, cũng là giao thức mà các đầu MLP của báo cáo được huấn luyện theo."
    ),
    "about.protocol_checked": (
        "Các đầu MLP, khi được nạp, đã được huấn luyện theo đúng giao thức này (nếu không khớp, engage từ chối dùng chúng)."
    ),
    "about.protocol.report": "báo cáo",
    "about.protocol.engage": "engage",
    "about.protocol.custom": "tuỳ chỉnh",
    "about.mlp": (
        "- **{method}:** bốn bộ phân loại nhỏ, mỗi trạng thái một bộ, huấn luyện trên các đặc trưng đó: mỗi bộ đưa {size} "
        "số của một đặc trưng qua các lớp 512 và 256 nút để ra 4 mức."
    ),
    "about.zero_shot": (
        "- **{method}:** cách chấm điểm riêng của engage với cùng mô hình, không huấn luyện: với mỗi trạng thái, mô hình "
        "được hỏi một lần để đánh giá mức 0-3 (mỗi mức được định nghĩa trong câu lệnh), và xác suất của từng mức lấy từ "
        "điểm token kế tiếp cho `0`-`3`. Đây **không** phải đường cơ sở zero-shot của báo cáo: báo cáo sinh một câu trả "
        "lời cho cả bốn trạng thái, đọc các chữ số bằng biểu thức chính quy và gán mức 0 khi không tìm thấy; các con số "
        "đó không so sánh được với các con số ở đây."
    ),
    "about.heads_none": "**Đầu MLP: không có.** {notice}",
    "about.heads_notice": "Phương pháp MLP không dùng được ở đây: {reason}. Hãy dùng phương pháp zero-shot.",
    "about.reason.none": "chưa nạp đầu MLP nào",
    "about.reason.unusable": "không dùng được các đầu MLP trên máy chủ này",
    "about.reason.missing": "máy chủ này chưa cài đầu MLP nào",
    "about.reason.mismatch": "các đầu MLP trên máy chủ này không khớp với mô hình của nó hoặc không đọc được",
    "about.reason.unsafe": "các đầu MLP trên máy chủ này bị từ chối vì nạp vào không an toàn",
    "about.heads_title": "**Đầu MLP** cho {backbone} (đặc trưng {size} chiều). Nguồn: {source}.",
    "about.heads_untrained": "Các đầu MLP này là trọng số ngẫu nhiên chưa huấn luyện, chỉ dùng để kiểm thử.",
    "about.source.random": "khởi tạo ngẫu nhiên, chỉ dùng để kiểm thử",
    "about.source.imported": "các checkpoint mà báo cáo thứ nhất công bố ({origin}), do engage nhập về",
    "about.source.trained": "do engage huấn luyện (`python -m engage train`) trên đặc trưng DAiSEE",
    "about.metrics_head": (
        "| trạng thái | macro-F1 kiểm định | macro-F1 kiểm tra | QWK kiểm tra | độ chính xác cân bằng kiểm tra "
        "| độ chính xác kiểm tra | macro-F1 lớp đa số | QWK lớp đa số | độ chính xác cân bằng lớp đa số "
        "| độ chính xác lớp đa số | số clip kiểm tra |"
    ),
    "about.metrics_note": (
        "Đường cơ sở lớp đa số luôn đoán mức phổ biến nhất của tập huấn luyện; một đầu MLP chỉ có ích khi vượt nó về "
        "macro-F1, kappa có trọng số bậc hai (QWK: đoán lệch một mức bị phạt nhẹ hơn lệch ba mức; 0 là mức ngẫu nhiên, "
        "cũng là QWK của đường cơ sở) và độ chính xác cân bằng (trung bình độ phủ trên các mức có xuất hiện). \"–\" nghĩa "
        "là thẻ mô hình chưa có con số đó."
    ),
    "about.protocol_line": "Giao thức đặc trưng: **{name}**, {source}.",
    "about.protocol_source.report": (
        "đọc từ mã nguồn của báo cáo: notebook huấn luyện nạp mô hình ở float16 trên GPU và đưa mỗi clip vào dưới dạng "
        "video một khung hình mỗi giây với văn bản \"Analyze this video.\", còn các ảnh tăng cường dữ liệu dưới dạng ảnh "
        "với \"Analyze this image.\"; notebook lưu các trạng thái ẩn mà chưa lấy trung bình, và phép lấy trung bình trên "
        "mọi token dựa theo phần mô tả phương pháp trong báo cáo, cùng mã xử lý ảnh và mã triển khai của báo cáo"
    ),
    "about.protocol_source.random": "mặc định của engage, gán cho các trọng số ngẫu nhiên này",
    "about.protocol_source.features": "giao thức của các đặc trưng dùng để huấn luyện các đầu MLP, như được ghi lại cạnh các đặc trưng đó",
    "about.protocol_source.given": "được chỉ định khi nhập các đầu MLP",
    "about.protocol_source.none": "như ghi trong thẻ mô hình",
    "about.see_also": (
        "Nên tin các con số của chính báo cáo thứ nhất đến đâu: xem thẻ **{report_check}**. Thẻ **{classroom}** phân "
        "tích mọi khuôn mặt trong một lớp học (phát hiện khuôn mặt bằng dlib, theo dõi, cảm xúc và hướng đầu; xem README)."
    ),
    "about.limits_title": "### Giới hạn",
    "about.limit_setting": (
        "- DAiSEE chỉ quay một người học ngồi tại bàn bằng camera máy tính xách tay; các bối cảnh khác (nhiều người, ở "
        "xa, thiếu sáng) nằm ngoài những gì các đầu MLP đã thấy khi huấn luyện."
    ),
    "about.limit_imbalance": (
        "- Các mức trong DAiSEE mất cân bằng mạnh (phần lớn clip là tập trung, không bối rối hay bực bội): hãy đọc một xác "
        "suất như một xu hướng, không phải một kết luận về một con người."
    ),
    "about.limit_uploads": (
        "- Tệp tải lên tối đa {mb} MB và {seconds} giây; khung hình có cạnh lớn hơn {side} điểm ảnh được thu nhỏ; ảnh trên "
        "{mp} megapixel bị từ chối."
    ),
    "about.privacy_title": "### Quyền riêng tư",
    "about.privacy": (
        "Không có gì bạn tải lên hay truyền trực tiếp được lưu lại: khung hình được phân tích trong bộ nhớ và bị xoá cùng "
        "phiên của bạn ({lifetime}, hoặc khi bạn đóng trang); các tệp xuất JSON/CSV của bạn cũng bị xoá theo, và bản sao "
        "các tệp tải lên, tải xuống trên máy chủ bị xoá trong vòng {files}."
    ),
    # Classroom tab (engage/ui/class_handlers.py, views.py, classroom_plots.py): keys "class.*"
    # the per-student CSV's header row for a spreadsheet (views.students_csv)
    "csv.track_id": "mã",
    "csv.name": "tên",
    "csv.seconds": "số giây xuất hiện",
    "csv.first_seen": "lần đầu thấy (giây)",
    "csv.last_seen": "lần cuối thấy (giây)",
    "csv.affect_seconds": "số giây có ước lượng trạng thái",
    "csv.mean_level": "{state}: mức trung bình",
    "csv.high_share": "{state}: tỉ lệ thời gian ở mức 2-3",
    "csv.emotion_seconds": "số giây có ước lượng cảm xúc",
    "csv.most_likely_share": "{emotion}: tỉ lệ thời gian là cảm xúc khả dĩ nhất",
    "csv.mean_probability": "{emotion}: xác suất trung bình",
    "csv.attention_seconds": "số giây có ước lượng hướng đầu",
    "csv.attention_share": "tỉ lệ thời gian nhìn về màn hình/bảng",
    "class.h_photos": "số ảnh",
    "class.student_n": "Học sinh {id}",
    "class.need_analysis": "Hãy phân tích một video, ảnh hoặc camera lớp học trước (một phiên kết thúc {lifetime}).",
    "class.faces_range": "Số khuôn mặt phân tích mỗi khung hình: một số nguyên từ 1 đến {n}.",
    "class.upload_first": "Hãy tải lên một video hoặc ảnh lớp học trước.",
    "class.not_both": "Hãy gửi video hoặc ảnh, không gửi cả hai: xoá một trong hai.",
    "class.rename_first": "Hãy phân tích một lớp học trước, rồi mới đổi tên học sinh.",
    "class.roster_choose": "Hãy chọn trước một hoặc nhiều ảnh của học sinh (hoặc một danh sách lớp do engage xuất ra).",
    "class.roster_count.one": "Danh sách lớp có {n} học sinh.",
    "class.roster_count.many": "Danh sách lớp có {n} học sinh.",
    "class.roster_read.one": "{file}: đã đọc {n} học sinh.",
    "class.roster_read.many": "{file}: đã đọc {n} học sinh.",
    "class.roster_photo": "{file}: đã thêm ảnh của {name}.",
    "class.roster_photo_largest": "{file}: đã thêm ảnh của {name} (ảnh có {n} khuôn mặt: đã dùng khuôn mặt lớn nhất).",
    "class.roster_problem": "{file}: {message}",
    "class.roster_cleared": "Đã xoá danh sách lớp (các tên đã đặt vẫn được giữ).",
    "class.roster_none": "Danh sách lớp đang trống: hãy thêm ảnh trước.",
    "class.nothing_to_export": "Chưa có gì để xuất: hãy phân tích một video, ảnh hoặc camera lớp học trước.",
    "class.report_first": "Hãy phân tích một lớp học trước.",
    "class.status_none": "Chưa phân tích khung hình nào.",
    "class.status_no_face": "Không tìm thấy khuôn mặt nào trong khung hình gần nhất: hãy lại gần hơn, thêm ánh sáng hoặc nhìn vào camera.",
    "class.status_found.one": "Tìm thấy {n} khuôn mặt trong khung hình gần nhất{capped}{waiting}.",
    "class.status_found.many": "Tìm thấy {n} khuôn mặt trong khung hình gần nhất{capped}{waiting}.",
    "class.status_capped": " (giới hạn {n} khuôn mặt mỗi khung hình: đã phân tích {n} khuôn mặt lớn nhất, bỏ qua {more} vùng khác có thể là khuôn mặt)",
    "class.status_waiting.one": "; {n} khuôn mặt chưa được tính là học sinh (một khuôn mặt được tính khi xuất hiện trong {hits} trên {seconds} giây)",
    "class.status_waiting.many": "; {n} khuôn mặt chưa được tính là học sinh (một khuôn mặt được tính khi xuất hiện trong {hits} trên {seconds} giây)",
    "class.none_seen": "Chưa thấy học sinh nào.",
    "class.cards_head": "| số học sinh | mức tập trung trung bình | thời gian bối rối | thời gian chán nản | nhìn về màn hình/bảng |",
    "class.h_id": "mã",
    "class.h_name": "tên",
    "class.h_seconds": "số giây xuất hiện",
    "class.h_engagement": "tập trung (0-3)",
    "class.h_confused": "bối rối (%)",
    "class.h_bored": "chán nản (%)",
    "class.h_emotion": "cảm xúc chủ đạo",
    "class.h_attending": "chú ý (%)",
    "class.photo_timeline": "Một bức ảnh chỉ là một khoảnh khắc: diễn biến của lớp theo thời gian cần một video hoặc camera.",
    "class.frame_label": "tập trung {value}",
    "class.plot_timeline_hover": "{state}: %{{y:.2f}} ở giây %{{x:.0f}}, trung bình của %{{customdata}} học sinh",
    "class.plot_time_axis": "thời gian (giây), mỗi điểm là giữa một khoảng {bin} giây",
    "class.plot_students_title": "Mức trung bình của từng học sinh<br><sup>0 {low} - 3 {high}</sup>",
    "class.plot_student_hover": "{name}<br>{state}: mức trung bình {mean} trong {seconds} giây",
    "class.plot_student_share": "mức {level} ({name}): {share} thời gian",
    "class.plot_no_estimate": "{name}: chưa có ước lượng",
    "class.plan_head": "Đang tìm khuôn mặt trên CPU trong {windows}; sau đó tối đa {clips}",
    "class.plan_local": "{head}, được mô hình phân tích trong tối đa {calls}…",
    "class.plan_zerogpu": "{head} trong tối đa {calls}, mỗi lần tối đa {seconds} giây (× {factor} khi xếp lịch, tính vào hạn mức hằng ngày của bạn)…",
    "class.progress_finding": "Đang tìm khuôn mặt trong {seconds} giây video",
    "class.progress_window": "Cửa sổ {k} trên {total}: đã tìm khuôn mặt; đã phân tích {clips}",
    "class.progress_last": "Đang phân tích {clips} cuối cùng",
    "unit.face_clip.one": "{n} đoạn khuôn mặt (khuôn mặt của một học sinh trong một cửa sổ 10 giây)",
    "unit.face_clip.many": "{n} đoạn khuôn mặt (mỗi đoạn là khuôn mặt của một học sinh trong một cửa sổ 10 giây)",
    "unit.clip_done.one": "{n} đoạn khuôn mặt",
    "unit.clip_done.many": "{n} đoạn khuôn mặt",
    "unit.gpu_call.one": "{n} lần gọi GPU",
    "unit.gpu_call.many": "{n} lần gọi GPU",
    "unit.second.one": "{n} giây",
    "unit.second.many": "{n} giây",
    "unit.minute.one": "{n} phút",
    "unit.minute.many": "{n} phút",
    "time.after_last_use": "{duration} sau lần dùng cuối",
    # library errors (engage/errors.py, media.py, classroom): keys "error.*"
    "common.error": "Lỗi",
    "error.send_as_file": "Hãy gửi ảnh hoặc video dưới dạng tệp tải lên.",
    "error.image_too_large": "Ảnh có kích thước {width}×{height} ({mp} megapixel); giới hạn là {limit} megapixel.",
    "error.image_empty": "Ảnh trống (không có điểm ảnh nào).",
    "error.image_bomb": "Ảnh quá lớn để giải mã an toàn: hơn {limit} megapixel.",
    "error.not_image": "Tệp này không phải là ảnh mà ứng dụng đọc được.",
    "error.image_corrupt": "Không giải mã được ảnh; tệp có thể bị cắt cụt hoặc hỏng.",
    "error.no_camera_frame": "Không nhận được khung hình nào từ camera.",
    "error.camera_frame_empty": "Khung hình từ camera trống.",
    "error.frame_not_rgb": "Cần một khung hình RGB (ảnh màu), nhưng nhận được khung hình có kích thước {shape}.",
    "error.frames_differ": "Mọi khung hình của một đoạn phải có cùng kích thước.",
    "error.no_file": "Chưa có tệp nào được gửi, hoặc tệp không còn tồn tại.",
    "error.file_empty": "Tệp trống (0 byte).",
    "error.file_too_large": "Tệp nặng {size} MB; giới hạn là {limit} MB.",
    "error.not_media": "Tệp này không phải ảnh hay video mà ứng dụng đọc được.",
    "error.no_video_stream": "Tệp không có luồng video (chỉ có âm thanh?).",
    "error.video_unopenable": "Không mở được video; tệp có thể bị cắt cụt hoặc hỏng.",
    "error.video_no_size": "Luồng video không có kích thước khung hình; tệp có thể bị hỏng.",
    "error.video_too_large": "Video có kích thước {width}×{height}; cạnh dài nhất được chấp nhận là {limit} điểm ảnh.",
    "error.video_no_rate": "Video không có tốc độ khung hình dùng được; tệp có thể bị hỏng.",
    "error.video_empty": "Video không có khung hình nào (độ dài bằng 0).",
    "error.video_too_long": "Video dài {seconds} giây; giới hạn là {limit} giây. Hãy cắt ngắn rồi thử lại.",
    "error.video_undecodable": "Không giải mã được video; tệp có thể bị cắt cụt hoặc hỏng.",
    "error.video_undecodable_after": "Không giải mã được video sau giây thứ {seconds}; tệp có thể bị cắt cụt hoặc hỏng.",
    "error.roster_not_json": "Tệp này không phải danh sách lớp do engage xuất ra (không phải JSON).",
    "error.roster_not_roster": "Tệp này không phải danh sách lớp do engage xuất ra.",
    "error.roster_damaged": "Tệp danh sách lớp này bị hỏng: nó không chứa tên kèm mô tả khuôn mặt như engage xuất ra.",
    "error.roster_no_face": "Không tìm thấy khuôn mặt trong ảnh của {name}: hãy dùng ảnh chụp chính diện, đủ sáng, khuôn mặt rộng ít nhất 40 điểm ảnh.",
    "error.roster_no_face_unnamed": (
        "Không tìm thấy khuôn mặt trong ảnh của học sinh này: hãy dùng ảnh chụp chính diện, đủ sáng, khuôn mặt rộng ít "
        "nhất 40 điểm ảnh."
    ),
    "error.roster_needs_name": "Ảnh trong danh sách lớp cần có tên: hãy nhập tên vào ô tên hoặc đặt tên tệp theo tên học sinh.",
    "error.roster_full": "Danh sách lớp có tối đa {n} học sinh.",
    "error.roster_photos_full": "{name} đã có {n} ảnh, số ảnh tối đa của một học sinh.",
    "error.roster_descriptor": "Một mô tả khuôn mặt gồm {n} số hữu hạn.",
    "error.name_too_long": "Tên dài tối đa {n} ký tự; '{start}…' có {length} ký tự.",
    "error.name_control": "Tên không được chứa ký tự điều khiển: {name}.",
    "error.name_format": "Tên không được chứa ký tự định dạng vô hình (như ký tự đảo chiều văn bản hay khoảng trắng độ rộng bằng không): {name}.",
    "error.name_not_text": "Tên phải là văn bản.",
    "error.roster_merge_full": (
        "Tệp danh sách này có {new} học sinh chưa có trong danh sách lớp (đang có {have}); "
        "danh sách lớp có tối đa {n} học sinh, nên không học sinh nào được thêm."
    ),
    "error.roster_too_big": "Tệp này quá lớn để là danh sách lớp do engage xuất (tối đa {mb} MB).",
    "error.image_metadata": "Ảnh chứa nhiều dữ liệu nhúng (văn bản hoặc hồ sơ màu) hơn mức engage đọc; hãy lưu lại ảnh mà không kèm siêu dữ liệu.",
    "error.no_student": "Không có học sinh {id} trong phiên này.",
    "error.no_student_ids": "Không có học sinh {id} trong phiên này (các mã: {ids}).",
    "error.no_student_yet": "Không có học sinh {id} trong phiên này (chưa thấy học sinh nào).",
    "error.merge_self": "Không thể gộp học sinh {id} với chính mình.",
    "error.merge_together": "Học sinh {a} và {b} cùng có mặt trong khung hình ở giây thứ {t}: đó là hai người.",
    "error.rename_unreadable": "Không đọc được {part}: hãy viết đổi tên theo dạng 1=An, 2=Bình (hoặc 3=1 để gộp 3 vào 1).",
    "error.rename_format": "Hãy viết đổi tên theo dạng 1=An, 2=Bình (hoặc 3=1 để gộp 3 vào 1).",
    "error.unknown_method": "Phương pháp {method} không tồn tại; hãy chọn một trong: {choices}.",
    # Gradio's own words (see en.py and engage/ui/gradio_words.py)
    "gradio.drop_video": "Thả video vào đây",
    "gradio.drop_image": "Thả ảnh vào đây",
    "gradio.drop_file": "Thả tệp vào đây",
    "gradio.or": "- hoặc -",
    "gradio.click_to_upload": "Bấm để tải lên",
    "gradio.access_webcam": "Bấm để mở webcam",
    "gradio.grant_webcam": "cho phép dùng webcam",
    "gradio.paste": "Dán từ bộ nhớ tạm",
    "gradio.error": "Lỗi",
    "gradio.uploading": "Đang tải lên...",
    "gradio.loading": "Đang tải...",
    "gradio.fullscreen": "Toàn màn hình",
    "gradio.download": "Tải xuống",
    "gradio.clear": "Xoá",
    "gradio.copy_table": "Sao chép bảng",
    "gradio.use_via_api": "Dùng qua API",
    "gradio.built_with": "Làm bằng Gradio",
    "gradio.settings": "Cài đặt",
    "gradio.processing": "đang xử lý",
    "gradio.queue": "hàng đợi:",
    "gradio.video_not_playable": "Không phát được video",
    "gradio.runs": "Lần chạy",
    "gradio.runs_saved": "Xem các lần chạy lưu trong trình duyệt này",
    "gradio.reset_video": "Đưa video về ban đầu",
    "gradio.trim_video": "Cắt video theo vùng chọn",
}
