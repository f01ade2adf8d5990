"""One module per official sheet. Each knows how to write its sheet and, for sheets with
input cells, how to read those cells back, side by side so the two cannot drift."""
