"""The curated mutants of each claim: ``verify/mutants/<claim module>.py`` holds ``MUTANTS``."""
