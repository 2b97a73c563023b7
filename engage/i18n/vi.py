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
    "common.levels": "Các mức",
    "common.result_json": "Kết quả (JSON)",
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
    "video.share_table": "Tỉ lệ thời gian ở mỗi mức",
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
    "class.frame": "Khung hình cuối, kèm mã",
    "class.students": "Học sinh",
    "class.timeline": "Cả lớp theo thời gian",
    "class.table": "Từng học sinh",
    "class.emotion_note": (
        "Theo từng học sinh và cảm xúc: tỉ lệ thời gian đã phân tích mà cảm xúc đó có xác suất cao nhất, rồi xác suất "
        "trung bình của nó (zero-shot, cùng mô hình)."
    ),
    "class.renames": "Đổi tên học sinh (3=1: học sinh 3 là học sinh 1)",
    "class.rename": "Đổi tên",
    "class.files": "Xuất phiên (JSON và CSV)",
    "class.export": "Xuất phiên ngay",
    "class.use_model": "Viết bằng Qwen2.5-VL (nếu không, dùng mẫu cố định)",
    "class.use_model_info": "Một lần gọi GPU tối đa {seconds} giây",
    "class.write_report": "Viết báo cáo lớp học",
    # Report check
    "audit.runs": "Các lần chạy so với mức cơ sở của lớp đa số",
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
    "result.share_level": "mức {level} (%)",
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
    "error.calls_failed": "Đã dừng: {n} lần gọi GPU liên tiếp kết thúc mà không có cửa sổ nào; lần cuối: {last}",
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
    # Report check and About tabs (engage/ui/report_check.py, engage/ui/about.py, engage/daisee/audit.py): keys "audit.*", "about.*"
    # Classroom tab (engage/ui/class_handlers.py, views.py, classroom_plots.py): keys "class.*"
    # library errors (engage/errors.py, media.py, classroom): keys "error.*"
}
