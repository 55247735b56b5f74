"""disclosure-warehouse: Chinese government information-disclosure annual reports, as data."""
