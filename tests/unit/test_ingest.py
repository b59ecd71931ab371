from __future__ import annotations

import pytest

from scorecast.artifacts import md5sum
from scorecast.errors import SourceError
from scorecast.ingest import ingest


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "src.csv"
    path.write_text("a,b\n1,2\n")
    return path


def test_copies_and_checks_md5(csv, tmp_path):
    dest = tmp_path / "raw" / "dataset.csv"
    assert ingest([str(csv)], md5sum(csv), dest) == str(csv)
    assert dest.read_text() == csv.read_text()


def test_falls_back_to_the_next_source(csv, tmp_path):
    dest = tmp_path / "dataset.csv"
    assert ingest([str(tmp_path / "missing.csv"), str(csv)], None, dest) == str(csv)


def test_checksum_mismatch_names_both_sums_and_keeps_the_old_file(csv, tmp_path):
    dest = tmp_path / "dataset.csv"
    dest.write_text("last good")
    with pytest.raises(SourceError, match=r"md5 is [0-9a-f]{32}, expected 0{32}"):
        ingest([str(csv)], "0" * 32, dest)
    assert dest.read_text() == "last good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset.csv", "src.csv"]


def test_missing_sources_are_all_named(tmp_path):
    with pytest.raises(SourceError, match=r"no data source could be read: .*nope\.csv: no such file"):
        ingest([str(tmp_path / "nope.csv")], None, tmp_path / "out.csv")


def test_unreachable_url_is_a_clear_error(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    with pytest.raises(SourceError, match=r"http://127\.0\.0\.1:9/x\.csv: could not download"):
        ingest(["http://127.0.0.1:9/x.csv"], None, tmp_path / "out.csv")


def test_empty_file_is_rejected(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty"):
        ingest([str(empty)], None, tmp_path / "out.csv")


def test_no_sources_configured(tmp_path):
    with pytest.raises(SourceError, match=r"^params\.yaml: data\.sources is empty; expected"):
        ingest([], None, tmp_path / "out.csv")


def test_downloads_from_a_url(csv, tmp_path):
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(csv.parent))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{csv.name}"
        dest = tmp_path / "out" / "dataset.csv"
        assert ingest([url], md5sum(csv), dest) == url
        assert dest.read_bytes() == csv.read_bytes()
    finally:
        server.shutdown()


def test_the_first_source_that_works_is_used(csv, tmp_path):
    mirror = tmp_path / "mirror.csv"
    mirror.write_bytes(csv.read_bytes())
    assert ingest([str(csv), str(mirror)], md5sum(csv), tmp_path / "out.csv") == str(csv)
    assert ingest([str(mirror), str(csv)], md5sum(csv), tmp_path / "out.csv") == str(mirror)


def test_a_download_cut_short_is_refused_and_the_next_source_used(csv, tmp_path):
    import http.server
    import threading

    class Truncating(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # promises 100 bytes, sends 8, closes
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"a,b\n1,2\n")
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Truncating)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/data.csv"
    try:
        with pytest.raises(SourceError, match=r"data\.csv: incomplete download \(8 of 100 bytes\)"):
            ingest([url], None, tmp_path / "out.csv")  # no md5 to catch it
        assert not (tmp_path / "out.csv").exists()
        assert ingest([url, str(csv)], None, tmp_path / "out.csv") == str(csv)
    finally:
        server.shutdown()
