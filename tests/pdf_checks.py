"""Reading printed PDFs back as a person and a scanner would: the text layer as PDFium
(Chrome's PDF engine) extracts it, pages rasterised to images, Code 128 barcodes decoded
with zxing-cpp, and images compared with a tolerance for anti-aliasing noise."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageChops, ImageStat

REFERENCE = Path(__file__).parent / "reference"


def page_count(path: Path) -> int:
    with pdfium.PdfDocument(str(path)) as doc:
        return len(doc)


def page_text(path: Path, page: int = 0) -> str:
    """All text of one page as PDFium extracts it (it honours /ActualText)."""
    doc = pdfium.PdfDocument(str(path))
    try:
        return doc[page].get_textpage().get_text_range()
    finally:
        doc.close()


def all_text(path: Path) -> str:
    return "\n".join(page_text(path, i) for i in range(page_count(path)))


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def rasterise(path: Path, page: int = 0, dpi: float = 300) -> Image.Image:
    """One page as a greyscale image at ``dpi``."""
    doc = pdfium.PdfDocument(str(path))
    try:
        bitmap = doc[page].render(scale=dpi / 72, grayscale=True)
        return bitmap.to_pil().convert("L")
    finally:
        doc.close()


def crop_points(image: Image.Image, box: tuple[float, float, float, float], page_height: float,
                dpi: float) -> Image.Image:
    """The part of a page image inside (x, y, width, height) given in PDF points from the
    page's bottom-left corner."""
    x, y, w, h = box
    k = dpi / 72
    return image.crop((round(x * k), round((page_height - y - h) * k),
                       round((x + w) * k), round((page_height - y) * k)))


def decode_code128(image: Image.Image) -> list[str]:
    """The texts of every Code 128 symbol found in the image."""
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two greyscale images of the same size, 0 to 255."""
    assert a.size == b.size, f"image sizes differ: {a.size} and {b.size}"
    return ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]


def worst_tile_difference(a: Image.Image, b: Image.Image, tile: int = 24) -> float:
    """The largest mean absolute difference over square tiles of the two images: anti-aliasing
    noise spreads thin, while a moved tick, a lost line or a missing word shows up in its
    tile."""
    assert a.size == b.size, f"image sizes differ: {a.size} and {b.size}"
    diff = ImageChops.difference(a.convert("L"), b.convert("L"))
    worst = 0.0
    for top in range(0, diff.height, tile):
        for left in range(0, diff.width, tile):
            box = diff.crop((left, top, min(left + tile, diff.width), min(top + tile, diff.height)))
            worst = max(worst, ImageStat.Stat(box).mean[0])
    return worst


def matches_reference(image: Image.Image, name: str) -> tuple[float, float]:
    """Compare with ``tests/reference/NAME``: (mean difference, worst tile difference), both
    0 to 255. When they differ the image is written beside it as NAME.new.png to look at."""
    reference = Image.open(REFERENCE / name)
    result = mean_difference(image, reference), worst_tile_difference(image, reference)
    if result != (0.0, 0.0):
        image.save(REFERENCE / (Path(name).stem + ".new.png"))
    return result


def decode_qr(image: Image.Image) -> list[str]:
    """The texts of every QR code found in the image."""
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
