"""bolcorr-kg: read the pages of 'Bolshevik leadership. Correspondence. 1912-1927', publish them as Linked Data."""

__version__ = "0.1.0"
