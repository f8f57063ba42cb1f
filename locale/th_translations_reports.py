"""Thai for the reports app (merged into the catalog by scripts/i18n.py)."""

TH = {
    "Reports": "รายงาน",
    "Project portfolio": "รายงานภาพรวมโครงการ",
    "Project form": "แบบฟอร์มโครงการ",
    "Excel (XLSX)": "Excel (XLSX)",
    "CSV": "CSV",
    "PDF": "PDF",
    "Queued": "รอคิว",
    "Being built": "กำลังสร้าง",
    "Ready": "พร้อมดาวน์โหลด",
    "Failed": "ไม่สำเร็จ",
    "The background job service does not answer, so the report could not be started. "
    "Nothing was lost: please try again in a few minutes.": (
        "ระบบงานเบื้องหลังไม่ตอบสนอง จึงยังเริ่มสร้างรายงานไม่ได้ ข้อมูลไม่สูญหาย กรุณาลองใหม่อีกครั้งในอีกสักครู่"
    ),
    "The report could not be built. Please try again; if it fails again, tell the "
    "system administrator.": ("สร้างรายงานไม่สำเร็จ กรุณาลองใหม่อีกครั้ง หากยังไม่สำเร็จ โปรดแจ้งผู้ดูแลระบบ"),
    "You may no longer see the data of this report, so it was not built.": (
        "ท่านไม่มีสิทธิ์เห็นข้อมูลของรายงานนี้แล้ว จึงไม่ได้สร้างรายงาน"
    ),
    "requested by": "ผู้ขอรายงาน",
    "report": "รายงาน",
    "format": "รูปแบบไฟล์",
    "filters": "เงื่อนไข",
    "reason": "เหตุผล",
    "progress (%)": "ความคืบหน้า (%)",
    "rows": "จำนวนแถว",
    "requested": "ขอเมื่อ",
    "started": "เริ่ม",
    "finished": "เสร็จ",
    "available until": "ดาวน์โหลดได้ถึง",
    "report job": "งานสร้างรายงาน",
    "report jobs": "งานสร้างรายงาน",
    "This report does not come in that format.": "รายงานนี้ไม่มีไฟล์รูปแบบนี้",
    "FY %(fy)s": "ปีงบประมาณ %(fy)s",
    "Project form: %(title)s": "แบบฟอร์มโครงการ: %(title)s",
    "Only a failed or expired report can be started again.": (
        "สร้างใหม่ได้เฉพาะรายงานที่ไม่สำเร็จหรือหมดอายุแล้ว"
    ),
    "budget: %(source)s (baht)": "งบประมาณ: %(source)s (บาท)",
    "disbursed to date (baht)": "เบิกจ่ายสะสมถึงปัจจุบัน (บาท)",
    "disbursement reported up to": "รายงานการเบิกจ่ายถึง",
    "secondary links": "ความสอดคล้องรอง",
    "The project form is being prepared.": "กำลังจัดทำแบบฟอร์มโครงการ",
    "Every project you may see in the filter, with its agency, budget by source, "
    "disbursement to date, links to the strategy and KPIs.": (
        "โครงการทั้งหมดที่ท่านมีสิทธิ์เห็นตามเงื่อนไขที่เลือก พร้อมหน่วยงาน งบประมาณแยกตามแหล่ง "
        "การเบิกจ่ายสะสม ความสอดคล้องกับยุทธศาสตร์ และตัวชี้วัด"
    ),
    "Build the report": "สร้างรายงาน",
    "The printable form of one project is on that project's page.": (
        "แบบฟอร์มโครงการสำหรับพิมพ์อยู่ในหน้าของแต่ละโครงการ"
    ),
    "My reports": "รายงานของฉัน",
    "Expired": "หมดอายุ",
    "No longer yours to download": "ไม่มีสิทธิ์ดาวน์โหลดแล้ว",
    "You have not asked for any report yet.": "ท่านยังไม่เคยขอรายงาน",
    "This report has expired and its file was removed. Build it again to get a fresh copy.": (
        "รายงานนี้หมดอายุแล้ว กรุณาสร้างใหม่เพื่อรับไฟล์ล่าสุด"
    ),
    "Build it again": "สร้างใหม่",
    "progress": "ความคืบหน้า",
    "The report is ready.": "รายงานพร้อมแล้ว",
    "Download": "ดาวน์โหลด",
    "Available until %(until)s.": "ดาวน์โหลดได้ถึง %(until)s",
    "The report could not be built.": "สร้างรายงานไม่สำเร็จ",
    "Try again": "ลองใหม่",
    "eMENSCR-OSS project form": "แบบฟอร์มโครงการ eMENSCR-OSS",
    "Printed": "พิมพ์เมื่อ",
    "Page": "หน้า",
    "Secondary": "รอง",
    "Signed": "ลงชื่อ",
    "Person responsible for the project": "ผู้รับผิดชอบโครงการ",
    "Head of the agency": "หัวหน้าหน่วยงาน",
    "Print the project form (PDF)": "พิมพ์แบบฟอร์มโครงการ (PDF)",
    "Master-plan summary": "รายงานสรุปตามแผนแม่บท",
    "No master-plan edition covers this fiscal year.": "ไม่มีแผนแม่บทฉบับที่ใช้ในปีงบประมาณนี้",
    "master plans": "แผนแม่บท",
    "level": "ระดับ",
    "Y1 targets without a project": "เป้าหมายแผนย่อย (Y1) ที่ยังไม่มีโครงการ",
    "Per master plan, sub-plan and Y1 target of a fiscal year: the projects you may see, their "
    "agencies, budget and disbursement, and the targets no project serves.": (
        "สรุปรายแผนแม่บท แผนย่อย และเป้าหมายแผนย่อย (Y1) ของปีงบประมาณ: โครงการที่ท่านมีสิทธิ์เห็น "
        "หน่วยงาน งบประมาณ การเบิกจ่าย และเป้าหมายที่ยังไม่มีโครงการ"
    ),
    "You may no longer see all the data of this report, so it cannot be downloaded. Build it "
    "again to get what you may see now.": (
        "ท่านไม่มีสิทธิ์เห็นข้อมูลบางส่วนของรายงานนี้แล้ว จึงดาวน์โหลดไม่ได้ "
        "สร้างรายงานใหม่เพื่อให้ได้ข้อมูลตามสิทธิ์ที่ท่านมีในขณะนี้"
    ),
}

PLURALS = {
    "%(n)s project": ["%(n)s โครงการ"],
}
