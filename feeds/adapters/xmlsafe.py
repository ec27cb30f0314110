"""Safe XML from devices: no DTDs or entities, a size cap, declared-encoding handling and a
careful recovery from the malformed habits devices have (docs/feeds.md, "Bad input").

``parse_xml`` decodes bytes itself (GB2312 and GBK declarations are read as GB18030, their
superset; a per-device override wins), removes the declaration and parses the text with
``defusedxml``. When strict parsing fails it retries once after fixes that cannot change the
meaning of well-formed input: bare ``&`` becomes ``&amp;``, a ``<`` that cannot start markup
becomes ``&lt;``, characters XML forbids are dropped. Anything still broken is refused with the
parser's reason. Elements are matched by local name, case-insensitively (namespaces vary).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from gridwall.contract.refusal import PayloadError

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)")
_STRAY_LT = re.compile(r"<(?![A-Za-z_:/?!])")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GB = {"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "x-gbk", "gb_2312-80", "hz-gb-2312"}


@dataclass(frozen=True)
class XmlDoc:
    root: ET.Element
    recovered: bool
    encoding: str


def local(tag: str) -> str:
    """``{ns}eventType`` → ``eventtype`` (local name, lower case)."""
    return tag.rsplit("}", 1)[-1].lower()


def declared_encoding(data: bytes) -> str | None:
    match = _DECLARATION.match(data[:200])
    return match.group(1).decode("ascii").lower() if match else None


def decode(data: bytes, override: str | None = None) -> tuple[str, str]:
    """Bytes → (text, encoding used): override, else declaration (GB family → GB18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    encoding = (override or declared_encoding(data) or "utf-8").lower()
    if encoding in _GB:
        encoding = "gb18030"
    try:
        return data.decode(encoding), encoding
    except LookupError:
        raise PayloadError(f"unknown character encoding {encoding!r}") from None
    except UnicodeDecodeError:
        # Devices mislabel: undeclared Chinese text is GB18030 more often than not, and a
        # body declared GB2312 is sometimes UTF-8. Only the other one is tried, and only when
        # the bytes are valid in it (the per-device setting settles the rest).
        other = "gb18030" if encoding == "utf-8" else "utf-8" if encoding == "gb18030" else None
        if override is None and other is not None:
            try:
                return data.decode(other), other
            except UnicodeDecodeError:
                pass
        raise PayloadError(f"body is not valid {encoding}") from None


def parse_xml(data: bytes | str, *, encoding: str | None = None) -> XmlDoc:
    """Parse device XML safely; raises PayloadError with the reason."""
    if isinstance(data, bytes):
        text, used = decode(data, encoding)
    else:
        text, used = data, "text"
    text = _DECLARATION_TEXT.sub("", text.lstrip("\ufeff"), count=1).strip()
    if not text.startswith("<"):
        raise PayloadError("body is not XML")
    try:
        return XmlDoc(_parse(text), recovered=False, encoding=used)
    except DefusedXmlException as exc:
        raise PayloadError(f"forbidden XML construct: {type(exc).__name__}") from None
    except ET.ParseError as exc:
        first = str(exc)
    repaired = _repair(text)
    if repaired != text:
        try:
            return XmlDoc(_parse(repaired), recovered=True, encoding=used)
        except DefusedXmlException as exc:
            raise PayloadError(f"forbidden XML construct: {type(exc).__name__}") from None
        except ET.ParseError:
            pass
    raise PayloadError(f"malformed XML: {first}")


def _parse(text: str) -> ET.Element:
    root: ET.Element = fromstring(text, forbid_dtd=True, forbid_entities=True)
    return root


def _repair(text: str) -> str:
    text = _FORBIDDEN.sub("", text)
    text = _BARE_AMP.sub("&amp;", text)
    return _STRAY_LT.sub("&lt;", text)


def child(element: ET.Element, name: str) -> ET.Element | None:
    """First direct child with this local name."""
    wanted = name.lower()
    return next((c for c in element if local(c.tag) == wanted), None)


def find(element: ET.Element, name: str) -> ET.Element | None:
    """First descendant (or the element itself) with this local name."""
    wanted = name.lower()
    return next((e for e in element.iter() if local(e.tag) == wanted), None)


def text_of(element: ET.Element, *names: str) -> str | None:
    """Stripped text of the first direct child among ``names`` that has text."""
    for name in names:
        found = child(element, name)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def child_texts(element: ET.Element) -> dict[str, str]:
    """Local name (lower case) → stripped text of the direct children (the first of a name)."""
    found: dict[str, str] = {}
    for item in element:
        name = local(item.tag)
        if name not in found:
            found[name] = (item.text or "").strip()
    return found


def deep_text(element: ET.Element, *names: str) -> str | None:
    """Stripped text of the first descendant among ``names`` that has text."""
    for name in names:
        wanted = name.lower()
        for found in element.iter():
            if local(found.tag) == wanted and found.text and found.text.strip():
                return found.text.strip()
    return None
