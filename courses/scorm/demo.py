"""SCORM packages the project builds itself, in the shape authoring tools export them.

``scorm12_package()`` is a SCORM 1.2 zip: ``imsmanifest.xml`` (IMS CP 1.1.2 with the ADL CP 1.2
extension: ``adlcp:scormtype="sco"``, ``adlcp:masteryscore``), a launch page and the classic ADL
``APIWrapper``-style discovery (walk ``window.parent`` up to seven times, then the opener).
``scorm2004_package()`` is a SCORM 2004 4th edition zip (IMS CP 1.1.4, ``adlcp:scormType``,
``imsss:sequencing`` with a primary objective satisfied by measure) using ``API_1484_11``.

Both SCOs are one page with three screens and a two-question check: they keep the screen in
``lesson_location`` / ``cmi.location`` and what was answered in ``suspend_data``, commit after
every screen, record each answer as an interaction, and on submitting report the score, the
status and the session time. Element ids (``#next``, ``#q1-b``, ``#submit``) are what the
browser tests click.
"""

import io
import zipfile
from pathlib import Path

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="ga.demo.safety12" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
                        http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
                        http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG-SAFETY12">
    <organization identifier="ORG-SAFETY12">
      <title>{title}</title>
      <item identifier="ITEM-SAFETY12" identifierref="RES-SAFETY12" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-SAFETY12" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="shared/sco.js"/>
      <file href="shared/style.css"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="ga.demo.service2004" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd
                        http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd
                        http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd
                        http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd
                        http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="ORG-SERVICE2004">
    <organization identifier="ORG-SERVICE2004" adlseq:objectivesGlobalToSystem="false">
      <title>{title}</title>
      <item identifier="ITEM-SERVICE2004" identifierref="RES-SERVICE2004">
        <title>{title}</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="PRIMARYOBJ" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-SERVICE2004" type="webcontent" adlcp:scormType="sco"
        href="content/index.html">
      <file href="content/index.html"/>
      <dependency identifierref="RES-SHARED"/>
    </resource>
    <resource identifier="RES-SHARED" type="webcontent" adlcp:scormType="asset">
      <file href="shared/sco.js"/>
      <file href="shared/style.css"/>
    </resource>
  </resources>
</manifest>
"""

PAGE = """<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{prefix}shared/style.css">
<script src="{prefix}shared/sco.js"></script>
</head>
<body data-scorm="{version}">
<main>
  <h1>{title}</h1>
  <p id="screen-label"></p>
  <section class="screen" data-screen="1"><h2>{screen1}</h2><p>{text1}</p></section>
  <section class="screen" data-screen="2"><h2>{screen2}</h2><p>{text2}</p></section>
  <section class="screen" data-screen="3"><h2>{quiz}</h2>
    <fieldset><legend>{q1}</legend>
      <label><input type="radio" name="q1" id="q1-a" value="a"> {q1a}</label>
      <label><input type="radio" name="q1" id="q1-b" value="b"> {q1b}</label>
    </fieldset>
    <fieldset><legend>{q2}</legend>
      <label><input type="radio" name="q2" id="q2-a" value="a"> {q2a}</label>
      <label><input type="radio" name="q2" id="q2-b" value="b"> {q2b}</label>
    </fieldset>
    <button type="button" id="submit">{submit}</button>
    <p id="result" role="status"></p>
  </section>
  <nav><button type="button" id="previous">{previous}</button>
  <button type="button" id="next">{next}</button></nav>
  <p id="api-state"></p>
</main>
</body>
</html>
"""

# The SCO's script and style sheet, one for both versions: the ADL discovery for the API of the
# version the page declares, then the SCO's own logic, kept to each version's calls and types.
FILES = Path(__file__).parent / "demo_files"
STYLE = (FILES / "style.css").read_text(encoding="utf-8")
SCRIPT = (FILES / "sco.js").read_text(encoding="utf-8")

TEXTS = {
    "screen1": "停电作业前的准备",
    "text1": "停电、验电、装设接地线、悬挂标示牌和装设遮栏，是保证安全的技术措施。",
    "screen2": "验电与接地",
    "text2": "验电时应使用相应电压等级且合格的验电器；确认无电压后立即装设接地线。",
    "quiz": "小测验",
    "q1": "装设接地线应在何时进行？",
    "q1a": "验电之前",
    "q1b": "验电确认无电压之后",
    "q2": "验电器应符合什么要求？",
    "q2a": "相应电压等级且合格",
    "q2b": "任意电压等级均可",
    "submit": "提交",
    "previous": "上一页",
    "next": "下一页",
}


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def scorm12_package(title: str = "安全用电：停电作业（SCORM 1.2）") -> bytes:
    page = PAGE.format(title=title, prefix="", version="1.2", **TEXTS)
    return _zip(
        {
            "imsmanifest.xml": MANIFEST_12.format(title=title),
            "index.html": page,
            "shared/sco.js": SCRIPT,
            "shared/style.css": STYLE,
        }
    )


def scorm2004_package(title: str = "供电服务规范：验电与接地（SCORM 2004）") -> bytes:
    page = PAGE.format(title=title, prefix="../", version="2004", **TEXTS)
    return _zip(
        {
            "imsmanifest.xml": MANIFEST_2004.format(title=title),
            "content/index.html": page,
            "shared/sco.js": SCRIPT,
            "shared/style.css": STYLE,
        }
    )
