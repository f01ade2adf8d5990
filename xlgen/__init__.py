"""xlgen: official performance-management workbooks from a district office's documents."""

__version__ = "0.1.0"
