"""Thai for the API writes of plans and progress reports, attachments and report jobs, and the
data-level save services of plans and progress (merged by scripts/i18n.py)."""

TH = {
    "The version you read; required to change a saved object.": (
        "เลขรุ่นที่ท่านอ่านไป จำเป็นเมื่อแก้ไขข้อมูลที่บันทึกแล้ว"
    ),
    "Required when changing what was submitted before.": "จำเป็นเมื่อแก้ไขข้อมูลที่เคยส่งแล้ว",
    "A saved target of this plan, to change it in place; none for a new one.": (
        "เป้าหมายเดิมของแผนนี้ที่ต้องการแก้ไข เว้นว่างเมื่อเป็นเป้าหมายใหม่"
    ),
    "Links to levels 1-2; the one with is_primary is the primary link (a Y2 or Y1 target), "
    "required to submit.": (
        "ความเชื่อมโยงกับแผนระดับที่ 1-2 รายการที่ is_primary เป็นความเชื่อมโยงหลัก "
        "(เป้าหมายแผนแม่บท Y2 หรือเป้าหมายแผนย่อย Y1) ซึ่งจำเป็นก่อนส่ง"
    ),
    "Only one link can be the primary link.": "มีความเชื่อมโยงหลักได้เพียงรายการเดียว",
    "The activity (its id in the report's rows).": "กิจกรรม (รหัสในแถวของรายงาน)",
    "Disbursed in the quarter (baht).": "เบิกจ่ายในไตรมาส (บาท)",
    "Cumulative since the start (baht).": "เบิกจ่ายสะสมตั้งแต่เริ่มโครงการ (บาท)",
    "A number in the KPI's unit.": "ตัวเลขในหน่วยนับของตัวชี้วัด",
    "Closing reports only.": "เฉพาะรายงานปิดโครงการ",
    "A master plan (its node id).": "แผนแม่บท (รหัสรายการ)",
    "For the project form: a project you see.": "สำหรับแบบฟอร์มโครงการ: โครงการที่ท่านเห็นได้",
    "Attach a file (PDF, image, office document)": "แนบไฟล์ (PDF รูปภาพ หรือเอกสารสำนักงาน)",
    "Download an attachment": "ดาวน์โหลดไฟล์แนบ",
    "Remove an attachment": "ลบไฟล์แนบ",
    "Enter a Level-3 plan (a draft)": "บันทึกแผนระดับที่ 3 (ฉบับร่าง)",
    "Change a plan (send the version you read)": "แก้ไขแผน (ส่งเลขรุ่นที่ท่านอ่านไป)",
    "Download the plan document (PDF)": "ดาวน์โหลดเอกสารแผน (PDF)",
    "Upload the plan document (a PDF, checked by its content)": (
        "อัปโหลดเอกสารแผน (PDF ตรวจจากเนื้อหาของไฟล์)"
    ),
    "The plan has no document yet.": "แผนนี้ยังไม่มีเอกสารแนบ",
    "Fill a report: texts, activity progress, disbursement, KPI actuals (send the version you "
    "read)": ("กรอกรายงาน: ข้อความ ความก้าวหน้ากิจกรรม การเบิกจ่าย ผลตัวชี้วัด (ส่งเลขรุ่นที่ท่านอ่านไป)"),
    "My report jobs": "งานสร้างรายงานของฉัน",
    "A report job: its state and progress (poll this)": (
        "งานสร้างรายงาน: สถานะและความคืบหน้า (เรียกซ้ำเพื่อติดตาม)"
    ),
    "Start a report job": "เริ่มงานสร้างรายงาน",
    "201 with a new job; 200 with your identical job (same report, format and filters) still queued or being built.": "201 เมื่อสร้างงานใหม่ 200 เมื่อมีงานเดียวกันของท่าน (รายงาน รูปแบบ และตัวกรองเดียวกัน) ที่ยังรอคิวหรือกำลังสร้างอยู่",
    "Download the report (once its state is done)": "ดาวน์โหลดรายงาน (เมื่อสถานะเป็นพร้อมแล้ว)",
    "The report is not ready: %(state)s.": "รายงานยังไม่พร้อม: %(state)s",
    "Start a failed or expired report again": "เริ่มสร้างรายงานที่ล้มเหลวหรือหมดอายุอีกครั้ง",
    "These cannot be linked to a plan: %(codes)s. Choose master-plan targets, national "
    "strategies, reform areas or NESDP-13 milestones.": (
        "รายการเหล่านี้เชื่อมโยงกับแผนไม่ได้: %(codes)s เลือกเป้าหมายแผนแม่บท ยุทธศาสตร์ชาติ "
        "ประเด็นการปฏิรูป หรือหมุดหมายของแผนพัฒนาฯ ฉบับที่ 13"
    ),
    "Nothing was saved: some fields have problems.": "ยังไม่ได้บันทึก: มีข้อมูลบางช่องไม่ถูกต้อง",
    "Your agency already has a plan with this reference.": "หน่วยงานของท่านมีแผนที่ใช้เลขอ้างอิงนี้แล้ว",
    "This target does not belong to the plan.": "เป้าหมายนี้ไม่ใช่ของแผนนี้",
    "The agency of a saved plan cannot change.": "เปลี่ยนหน่วยงานของแผนที่บันทึกแล้วไม่ได้",
    "Only a closing report records outcomes and lessons.": (
        "ผลลัพธ์ที่ได้และบทเรียนบันทึกได้เฉพาะในรายงานปิดโครงการ"
    ),
    "The report has no row for this activity.": "รายงานนี้ไม่มีแถวของกิจกรรมนี้",
    "The report has no row for this budget source.": "รายงานนี้ไม่มีแถวของแหล่งงบประมาณนี้",
    "The report has no row for this KPI.": "รายงานนี้ไม่มีแถวของตัวชี้วัดนี้",
    "The same row is given twice.": "ระบุแถวเดียวกันซ้ำสองครั้ง",
    "Why the job failed (empty unless it did).": "เหตุที่งานล้มเหลว (ว่างไว้หากไม่ล้มเหลว)",
    "Portfolio: xlsx (default) or csv; master-plan summary: xlsx or pdf.": "รายงานภาพรวมโครงการ: xlsx (ค่าเริ่มต้น) หรือ csv; สรุปตามแผนแม่บท: xlsx หรือ pdf",
    "For the agency quarterly report: 1 (Oct-Dec) to 4 (Jul-Sep).": "สำหรับรายงานรายไตรมาสของหน่วยงาน: 1 (ต.ค.–ธ.ค.) ถึง 4 (ก.ค.–ก.ย.)",
}
