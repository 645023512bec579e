"""Reading printed plans back: text per page, paper size, metadata and fonts (pypdf)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pypdf import PdfReader

# A day or a month shortened ("Mon", "Dec"): the patient's documents write them in full.
SHORT_DAYS_AND_MONTHS = r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"


@dataclass(frozen=True)
class ReadPdf:
    reader: PdfReader

    @cached_property
    def pages(self) -> list[str]:
        # Extracting text is the slow part of reading a PDF back: once per document.
        return [" ".join(page.extract_text().split()) for page in self.reader.pages]

    @cached_property
    def text(self) -> str:
        return " ".join(self.pages)

    def page_size_pt(self, index: int = 0) -> tuple[float, float]:
        box = self.reader.pages[index].mediabox
        return round(float(box.width)), round(float(box.height))

    def fonts_embedded(self) -> bool:
        fonts: list[Any] = []
        for page in self.reader.pages:
            resources: Any = page.get("/Resources") or {}
            for font in (resources.get("/Font") or {}).values():
                fonts.append(font.get_object())
        assert fonts, "no fonts found"
        return all(_embedded(font) for font in fonts)


def _embedded(font: Any) -> bool:
    """A font is embedded when each of its descriptors carries a font file (Type 3 fonts are drawings)."""
    if font.get("/Subtype") == "/Type3":
        return True
    descriptors = []
    if "/FontDescriptor" in font:
        descriptors.append(font["/FontDescriptor"].get_object())
    for descendant in font.get("/DescendantFonts", []):
        descendant = descendant.get_object()
        if "/FontDescriptor" in descendant:
            descriptors.append(descendant["/FontDescriptor"].get_object())
    return bool(descriptors) and all(
        any(key in d for key in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors
    )


def font_sizes(content: bytes) -> set[float]:
    """The size, in points on paper, of every piece of text drawn."""
    sizes: set[float] = set()
    for page in PdfReader(io.BytesIO(content)).pages:

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
            if text.strip():
                sizes.add(round(size * abs(tm[3]) * abs(cm[3]), 1))

        page.extract_text(visitor_text=visit)
    return sizes


def read_pdf(content: bytes) -> ReadPdf:
    assert content.startswith(b"%PDF-"), "not a PDF"
    return ReadPdf(PdfReader(io.BytesIO(content)))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Tagged:
    """One element of a tagged PDF's structure tree: its role, its text (from its marked content),
    and its alternative text."""

    role: str
    text: str
    alt: str
    depth: int


def _marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, keyed by (page object number, MCID)."""
    found: dict[tuple[int, int], list[str]] = {}
    for page in reader.pages:
        _read_marked(page, found)
    return {key: "".join(parts) for key, parts in found.items()}


def _read_marked(page: Any, found: dict[tuple[int, int], list[str]]) -> None:
    number = page.indirect_reference.idnum
    open_ids: list[int | None] = []

    def before(operator: bytes, operands: list[Any], *_: Any) -> None:
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else {}
            open_ids.append(properties.get("/MCID") if hasattr(properties, "get") else None)
        elif operator == b"BMC":
            open_ids.append(None)
        elif operator == b"EMC" and open_ids:
            open_ids.pop()

    def text(content: str, *_: Any) -> None:
        mcid = next((i for i in reversed(open_ids) if i is not None), None)
        if mcid is not None:
            found.setdefault((number, mcid), []).append(content)

    page.extract_text(visitor_operand_before=before, visitor_text=text)


def structure(content: bytes) -> list[Tagged]:
    """The structure tree in reading order (depth first), each element with the text it tags."""
    reader = PdfReader(io.BytesIO(content))
    marked = _marked_text(reader)
    elements: list[Tagged] = []

    def text_of(node: Any, page: int | None) -> str:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, int):
            return marked.get((page or 0, node), "")
        if isinstance(node, list):
            return "".join(text_of(kid, page) for kid in node)
        if hasattr(node, "get"):
            if "/MCID" in node:
                owner = node.get("/Pg")
                return marked.get((owner.idnum if owner else page or 0, node["/MCID"]), "")
            if "/S" in node:
                owner = node.get("/Pg")
                return text_of(node.get("/K", []), owner.idnum if owner else page)
        return ""

    def walk(node: Any, depth: int) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid, depth)
        elif hasattr(node, "get") and "/S" in node:
            owner = node.get("/Pg")
            text = text_of(node, owner.idnum if owner else None)
            elements.append(
                Tagged(str(node["/S"])[1:], " ".join(text.split()), str(node.get("/Alt", "")), depth)
            )
            walk(node.get("/K", []), depth + 1)

    catalog: Any = reader.trailer["/Root"]
    walk(catalog["/StructTreeRoot"]["/K"], 0)
    return elements
