"""Thai for the API of Level-3 plans, progress reports and linkage (merged by scripts/i18n.py)."""

TH = {
    "Scorer version.": "รุ่นของตัวให้คะแนน",
    "Alignment score, 0-100.": "คะแนนความสอดคล้อง 0-100",
    "Master-plan edition code (default: the one in force now).": (
        "รหัสฉบับของแผนแม่บท (ถ้าไม่ระบุ ใช้ฉบับที่ใช้อยู่ในปัจจุบัน)"
    ),
    "Suggest strategy targets for a project text": "แนะนำเป้าหมายยุทธศาสตร์สำหรับข้อความโครงการ",
    "Alignment scores of the project's links, with explanations": (
        "คะแนนความสอดคล้องของการเชื่อมโยงของโครงการ พร้อมคำอธิบาย"
    ),
    "An approved project of your agency.": "โครงการที่อนุมัติแล้วของหน่วยงานของท่าน",
    "Start a progress report for a quarter (a draft, rows prefilled)": (
        "เริ่มรายงานความก้าวหน้ารายไตรมาส (ฉบับร่าง กรอกข้อมูลตั้งต้นไว้ให้)"
    ),
    "Progress reports waiting for my approval": "รายงานความก้าวหน้าที่รอฉันอนุมัติ",
}
