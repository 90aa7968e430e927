"""Writing a benchmark's result into its section of docs/benchmarks.md (no Django needed)."""

from pathlib import Path


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace the section ``## heading`` of the Markdown file (or add it at the end)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    marker = f"## {heading}"
    section = f"{marker}\n\n{body.strip()}\n"
    if marker in text:
        head, _sep, rest = text.partition(marker)
        tail = rest.split("\n## ", 1)[1] if "\n## " in rest else ""
        text = head + section + ("\n## " + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
