"""Thai for the dashboards app and the portfolio's linkage columns (merged by scripts/i18n.py)."""

TH = {
    "Dashboards": "แดชบอร์ด",
    "Dashboard": "แดชบอร์ด",
    "National dashboard": "แดชบอร์ดระดับประเทศ",
    "Dashboard: %(name)s": "แดชบอร์ด: %(name)s",
    "all agencies": "ทุกหน่วยงาน",
    "Fiscal year %(fy)s": "ปีงบประมาณ %(fy)s",
    "(and units below)": "(รวมหน่วยงานในสังกัด)",
    "Choose one of the agencies this dashboard covers.": "กรุณาเลือกหน่วยงานที่อยู่ในแดชบอร์ดนี้",
    "No project has that fiscal year.": "ไม่มีโครงการในปีงบประมาณนี้",
    "approved projects": "โครงการที่อนุมัติแล้ว",
    "projects with overdue reports": "โครงการที่ค้างส่งรายงานความก้าวหน้า",
    "Projects by status": "โครงการตามสถานะ",
    "Budget by master plan (primary link)": "งบประมาณตามแผนแม่บท (ความสอดคล้องหลัก)",
    "Budget by master plan (baht)": "งบประมาณตามแผนแม่บท (บาท)",
    "No project links to a master plan.": "ยังไม่มีโครงการที่เชื่อมโยงกับแผนแม่บท",
    "no primary link in a master plan": "ไม่มีความสอดคล้องหลักกับแผนแม่บท",
    "Disbursement by quarter against plan": "การเบิกจ่ายรายไตรมาสเทียบกับแผน",
    "planned (approved projects' budgets over their dates)": (
        "แผน (งบประมาณโครงการที่อนุมัติแล้ว เฉลี่ยตามระยะเวลาดำเนินงาน)"
    ),
    "disbursed (filed reports)": "เบิกจ่าย (ตามรายงานที่ส่งแล้ว)",
    "planned (baht)": "แผน (บาท)",
    "disbursed (baht)": "เบิกจ่าย (บาท)",
    "projects that reported": "โครงการที่ส่งรายงาน",
    "Linkage score of the primary link": "คะแนนความสอดคล้องของความสอดคล้องหลัก",
    "Projects per alignment score band": "จำนวนโครงการตามช่วงคะแนนความสอดคล้อง",
    "weak": "อ่อน",
    "fair to strong": "ปานกลางถึงสูง",
    "score": "คะแนน",
    "not scored": "ยังไม่มีคะแนน",
    "Overdue progress reports": "รายงานความก้าวหน้าที่เลยกำหนดส่ง",
    "Nothing to show for this choice.": "ไม่มีข้อมูลตามเงื่อนไขที่เลือก",
    "alignment score from": "คะแนนความสอดคล้องตั้งแต่",
    "alignment score to": "คะแนนความสอดคล้องถึง",
    "primary link not scored yet": "ความสอดคล้องหลักยังไม่มีคะแนน",
    "with overdue progress reports": "มีรายงานความก้าวหน้าค้างส่ง",
    "filed a progress report for (year-quarter)": "ส่งรายงานความก้าวหน้าของ (ปี-ไตรมาส)",
    "master plan of the primary link": "แผนแม่บทของความสอดคล้องหลัก",
    "primary link alignment score": "คะแนนความสอดคล้องหลัก",
    "primary link rank": "ลำดับของความสอดคล้องหลัก",
    "mean alignment score of the links": "คะแนนความสอดคล้องเฉลี่ยของทุกความสอดคล้อง",
}

PLURALS = {
    "%(n)s report": ["%(n)s ฉบับ"],
    "%(n)s project owes reports past their deadline": [
        "%(n)s โครงการค้างส่งรายงานที่เลยกำหนดแล้ว"
    ],
}
