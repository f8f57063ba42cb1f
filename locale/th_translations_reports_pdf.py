"""Thai for the reports app's PDF reports: the master-plan summary and the agency quarterly
report (merged into the catalog by scripts/i18n.py)."""

TH = {
    "You may not see the reports of this agency, or it does not exist.": (
        "ท่านไม่มีสิทธิ์ดูรายงานของหน่วยงานนี้ หรือไม่มีหน่วยงานนี้ในระบบ"
    ),
    "Enter a fiscal year in the Buddhist era, from %(first)s to %(last)s.": (
        "กรุณาระบุปีงบประมาณเป็นปี พ.ศ. ตั้งแต่ %(first)s ถึง %(last)s"
    ),
    "score %(low)s–%(high)s": "คะแนน %(low)s–%(high)s",
    "not scored yet": "ยังไม่มีคะแนน",
    "Quarter %(q)s (%(first)s–%(last)s)": "ไตรมาส %(q)s (%(first)s–%(last)s)",
    "Agency quarterly report": "รายงานผลการดำเนินงานรายไตรมาสของหน่วยงาน",
    "Agency quarterly report: %(agency)s, Q%(quarter)s of FY %(fy)s": (
        "รายงานรายไตรมาสของหน่วยงาน: %(agency)s ไตรมาส %(quarter)s ปีงบประมาณ %(fy)s"
    ),
    "Per master plan, sub-plan and Y1 target of a fiscal year: the projects you may see, their "
    "agencies, budget and disbursement, the distribution of their alignment scores, and the "
    "targets no project serves.": (
        "สรุปรายแผนแม่บท แผนย่อย และเป้าหมายแผนย่อย (Y1) ของปีงบประมาณ: โครงการที่ท่านมีสิทธิ์เห็น "
        "หน่วยงาน งบประมาณ การเบิกจ่าย การกระจายของคะแนนความสอดคล้อง และเป้าหมายที่ยังไม่มีโครงการ"
    ),
    "An agency's projects and their progress in a quarter, with the units below it: "
    "activities, disbursement in the quarter and to date against the allocation, KPI actuals "
    "against targets, problems, and the reports missing or overdue (PDF).": (
        "โครงการของหน่วยงานและหน่วยงานในสังกัด พร้อมความก้าวหน้าในไตรมาสที่เลือก: กิจกรรม "
        "การเบิกจ่ายในไตรมาสและสะสมเทียบกับงบประมาณที่ได้รับ ผลตัวชี้วัดเทียบค่าเป้าหมาย ปัญหาอุปสรรค "
        "และรายงานที่ยังไม่ส่งหรือเลยกำหนด (PDF)"
    ),
    "Quarter %(q)s of fiscal year %(fy)s BE": "ไตรมาสที่ %(q)s ปีงบประมาณ พ.ศ. %(fy)s",
    "The agency and the units below it: their approved projects that run in the quarter, as "
    "the reports stood on %(today)s. Figures come from filed progress reports (submitted or "
    "accepted) only.": (
        "หน่วยงานและหน่วยงานในสังกัด: โครงการที่ได้รับอนุมัติและดำเนินการในไตรมาสนี้ ตามสถานะรายงาน "
        "ณ วันที่ %(today)s ตัวเลขมาจากรายงานความก้าวหน้าที่ส่งแล้ว (ส่งแล้วหรือรับรายงานแล้ว) เท่านั้น"
    ),
    "Summary": "สรุป",
    "percent of allocation": "ร้อยละของงบประมาณที่ได้รับ",
    "reports filed for the quarter": "รายงานไตรมาสที่ส่งแล้ว",
    "reports missing or overdue": "รายงานที่ยังไม่ส่งหรือเลยกำหนด",
    "The quarter's progress reports": "สถานะรายงานความก้าวหน้าของไตรมาส",
    "By unit": "แยกตามหน่วยงาน",
    "report for the quarter": "รายงานของไตรมาส",
    "activities done (percent)": "ความก้าวหน้ากิจกรรม (ร้อยละ)",
    "as of": "ณ",
    "No approved project of this agency runs in this quarter.": (
        "ไม่มีโครงการที่ได้รับอนุมัติของหน่วยงานนี้ดำเนินการในไตรมาสนี้"
    ),
    "Reports missing or overdue": "รายงานที่ยังไม่ส่งหรือเลยกำหนดส่ง",
    "Every report due up to this quarter has been filed.": ("ส่งรายงานที่ถึงกำหนดจนถึงไตรมาสนี้ครบแล้ว"),
    "Project details": "รายละเอียดรายโครงการ",
    "No progress report was filed for this quarter.": "ยังไม่ได้ส่งรายงานความก้าวหน้าของไตรมาสนี้",
    "budget source": "แหล่งงบประมาณ",
    "fiscal year %(fy)s BE": "ปีงบประมาณ พ.ศ. %(fy)s",
    "Fiscal year %(fy)s BE": "ปีงบประมาณ พ.ศ. %(fy)s",
    "Projects are counted under the Y1 target of their primary link and every level above it. "
    "Only the projects the person who asked for this report may see are counted.": (
        "นับโครงการตามเป้าหมายแผนย่อย (Y1) ของความสอดคล้องหลัก และรวมขึ้นไปทุกระดับ "
        "นับเฉพาะโครงการที่ผู้ขอรายงานมีสิทธิ์เห็น"
    ),
    "master plan / sub-plan / Y1 target": "แผนแม่บท / แผนย่อย / เป้าหมายแผนย่อย (Y1)",
    "projects by alignment score": "จำนวนโครงการตามคะแนนความสอดคล้อง",
    # The compact form of a big agency quarterly report (pdfscale).
    "Compact form: %(n)s projects, more than the %(limit)s whose details a report prints. One "
    "row per project, with subtotals per unit, and the reports missing or overdue; for a "
    "project's details, build the report of its unit or its project form.": (
        "ฉบับย่อ: รายงานนี้มี %(n)s โครงการ เกินกว่า %(limit)s โครงการที่รายงานจะแสดงรายละเอียดได้ "
        "จึงแสดงโครงการละหนึ่งแถว พร้อมยอดรวมรายหน่วยงาน และรายงานที่ยังไม่ส่งหรือเลยกำหนดส่ง "
        "หากต้องการรายละเอียดของโครงการ ให้สร้างรายงานของหน่วยงานนั้นหรือแบบฟอร์มโครงการ"
    ),
    "Full form: the details of each project follow the tables (a report of up to %(limit)s "
    "projects).": (
        "ฉบับเต็ม: แสดงรายละเอียดของแต่ละโครงการต่อจากตาราง (รายงานที่มีไม่เกิน %(limit)s โครงการ)"
    ),
    "activities done": "กิจกรรมที่แล้วเสร็จ",
    "KPIs met": "ตัวชี้วัดที่บรรลุ",
    "Subtotal %(code)s (%(n)s projects)": "รวม %(code)s (%(n)s โครงการ)",
}

PLURALS = {
    "%(n)s other project of the fiscal year owes no report for this quarter (not approved yet, "
    "or not running in it).": [
        "อีก %(n)s โครงการของปีงบประมาณนี้ไม่ต้องรายงานในไตรมาสนี้ (ยังไม่ได้รับอนุมัติ หรือไม่ได้ดำเนินการในไตรมาสนี้)"
    ],
}
