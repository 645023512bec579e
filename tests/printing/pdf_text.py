"""Reading printed plans back: text per page, paper size, metadata and fonts (pypdf)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pypdf import PdfReader


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


def read_pdf(content: bytes) -> ReadPdf:
    assert content.startswith(b"%PDF-"), "not a PDF"
    return ReadPdf(PdfReader(io.BytesIO(content)))


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)
