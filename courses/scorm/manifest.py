"""Reading ``imsmanifest.xml`` (SCORM 1.2 and SCORM 2004 3rd/4th edition) without trusting it.

The manifest is parsed with defusedxml: a DTD, an entity or an external reference is refused
before anything is expanded. What we keep is what playing and tracking need: the version, the
organisations and, in document order, every item that launches a SCO.
"""

import posixpath
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import ScormVersion

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCORM_TYPE = "scormtype"  # adlcp:scormtype (1.2) and adlcp:scormType (2004), compared lowercased


class ManifestError(ValueError):
    """The manifest cannot be used; the message is translated and says why."""


@dataclass
class ManifestSco:
    organisation: str
    organisation_title: str
    identifier: str
    title: str
    href: str
    mastery_score: Decimal | None = None
    scaled_passing_score: Decimal | None = None


@dataclass
class Manifest:
    version: str
    schema_version: str
    identifier: str
    title: str
    scos: list[ManifestSco] = field(default_factory=list)
    organisations: list[tuple[str, str]] = field(default_factory=list)


def _local(tag) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _namespace(tag) -> str:
    tag = str(tag)
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _child(element, name):
    found = _children(element, name)
    return found[0] if found else None


def _text(element, name) -> str:
    child = _child(element, name) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


def _attribute(element, name) -> str:
    """An attribute by local name, whatever its namespace prefix and case."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return (value or "").strip()
    return ""


def _decimal(text):
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _detect_version(root, schema_version: str) -> str:
    text = schema_version.lower()
    if text == "1.2":
        return ScormVersion.SCORM_12
    if text.startswith("2004") or text == "cam 1.3":
        return ScormVersion.SCORM_2004
    namespaces = {_namespace(element.tag) for element in root.iter()}
    for element in root.iter():
        namespaces.update(_namespace(key) for key in element.attrib)
    if "http://www.adlnet.org/xsd/adlcp_rootv1p2" in namespaces:
        return ScormVersion.SCORM_12
    if "http://www.adlnet.org/xsd/adlcp_v1p3" in namespaces:
        return ScormVersion.SCORM_2004
    raise ManifestError(_("the manifest is neither SCORM 1.2 nor SCORM 2004."))


def parse_manifest(content: bytes) -> Manifest:
    """The manifest's version, organisations and SCOs, or ``ManifestError``."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ManifestError(
            _("imsmanifest.xml declares a DTD or entities, which are not accepted.")
        ) from None
    except (ParseError, ValueError):
        raise ManifestError(_("imsmanifest.xml is not well-formed XML.")) from None
    if _local(root.tag) != "manifest":
        raise ManifestError(_("imsmanifest.xml has no <manifest> root element."))
    metadata = _child(root, "metadata")
    schema_version = _text(metadata, "schemaversion")[:100]
    version = _detect_version(root, schema_version)

    resources_element = _child(root, "resources")
    resources = {}
    if resources_element is not None:
        base = resources_element.get(XML_BASE, "")
        for resource in _children(resources_element, "resource"):
            identifier = _attribute(resource, "identifier")
            href = _attribute(resource, "href")
            kind = _attribute(resource, SCORM_TYPE).lower()
            if identifier:
                resources[identifier] = (
                    posixpath.join(base, resource.get(XML_BASE, ""), href) if href else "",
                    kind,
                )

    manifest = Manifest(
        version=version,
        schema_version=schema_version,
        identifier=_attribute(root, "identifier")[:255],
        title="",
    )
    organisations_element = _child(root, "organizations")
    organisations = (
        _children(organisations_element, "organization")
        if organisations_element is not None
        else []
    )
    default = _attribute(organisations_element, "default") if organisations_element else ""
    # The default organisation first, as an LMS presents it.
    organisations.sort(key=lambda org: _attribute(org, "identifier") != default)
    for organisation in organisations:
        org_id = _attribute(organisation, "identifier")[:255]
        org_title = _text(organisation, "title")[:255] or org_id
        manifest.organisations.append((org_id, org_title))
        if not manifest.title:
            manifest.title = org_title
        for item in organisation.iter():
            if _local(item.tag) != "item":
                continue
            resource = resources.get(_attribute(item, "identifierref"))
            # Assets launch but never talk to the runtime: only SCOs can be tracked.
            if resource is None or not resource[0] or resource[1] != "sco":
                continue
            href = resource[0]
            parameters = _attribute(item, "parameters")
            if parameters:
                parameters = parameters.lstrip("?&")
                href += ("&" if "?" in href else "?") + parameters
            minimum = None
            for objective in item.iter():
                if _local(objective.tag) == "primaryObjective":
                    if _attribute(objective, "satisfiedByMeasure").lower() == "true":
                        minimum = _decimal(_text(objective, "minNormalizedMeasure") or "1.0")
            manifest.scos.append(
                ManifestSco(
                    organisation=org_id,
                    organisation_title=org_title,
                    identifier=_attribute(item, "identifier")[:255],
                    title=(_text(item, "title") or _attribute(item, "identifier"))[:255],
                    href=href[:2000],
                    mastery_score=_decimal(_text(item, "masteryscore")),
                    scaled_passing_score=minimum,
                )
            )
    if not manifest.scos:
        raise ManifestError(_("the manifest names no SCO to launch."))
    return manifest
