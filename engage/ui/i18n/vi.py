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
}
