"""One module per dashboard; layouts render their data server-side (first paint has data)."""
