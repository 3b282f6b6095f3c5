"""Read certificate PDFs the way a person or a verifier would: text, attachments, QR codes."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdf
import pypdfium2
import zxingcpp


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, with line breaks turned into spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def attachments(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(pypdf.PdfReader(io.BytesIO(pdf)).attachments)


def catalog(pdf: bytes) -> Any:
    return pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]


def metadata(pdf: bytes) -> Any:
    return pypdf.PdfReader(io.BytesIO(pdf)).metadata


def first_page_image(pdf: bytes, scale: float = 3.0) -> Any:
    """Render page 1 as a PIL image; scale 3 is 216 dots per inch."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=scale).to_pil()
    finally:
        document.close()


def qr_codes(pdf: bytes) -> list[str]:
    """Decode every QR code on page 1."""
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(first_page_image(pdf))
        if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


@contextmanager
def counting_http_server() -> Iterator[tuple[str, list[str]]]:
    """Serve a stylesheet on loopback for every GET, listing the paths requested.

    A test that finds the list empty has proved that nothing was fetched from this server.
    """
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
