"""Text reuse: is this year's narrative last year's text, or another agency's, with the numbers changed?

- `text`: normalise a section (Simplified, no whitespace or punctuation, every digit run one
  placeholder) and cut it into character shingles.
- `signatures`: MinHash signatures of the shingle sets (datasketch), 128 permutations, fixed seed.
- `pairs`: the comparisons: each section with the same agency's section the year before, and,
  through MinHash LSH (band hashes joined in polars), with every other agency's section of the same year.
- `lake`: the I/O: reads the lake's sections, keeps a cache of signatures, writes the
  `section_similarity` table that dbt reads.
"""
