"""Thai for the audit log's sentences (core/audit.py and the actions that write them)."""

TH = {
    "Asked to rebuild the search index.": "สั่งสร้างดัชนีค้นหาใหม่",
    "Exported %(rows)d rows of the hierarchy as “%(file)s”.": (
        "ส่งออกข้อมูลโครงสร้างยุทธศาสตร์ %(rows)d แถว เป็นไฟล์ “%(file)s”"
    ),
    "Imported the file “%(file)s”: %(new)d new, %(changed)d changed, %(unchanged)d unchanged rows.": (
        "นำเข้าไฟล์ “%(file)s”: ใหม่ %(new)d แถว เปลี่ยนแปลง %(changed)d แถว "
        "ไม่เปลี่ยนแปลง %(unchanged)d แถว"
    ),
    "Issued the API token “%(name)s”.": "สร้างโทเค็น API “%(name)s”",
    "Revoked the API token “%(name)s”.": "ยกเลิกโทเค็น API “%(name)s”",
    "Imported from the workbook “%(file)s” (%(plans)d plans, %(targets)d targets).": (
        "นำเข้าจากไฟล์ “%(file)s” (แผน %(plans)d แผน เป้าหมาย %(targets)d รายการ)"
    ),
}
