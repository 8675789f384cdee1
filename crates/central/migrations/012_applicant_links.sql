-- The keys that link an applicant's applications: the FIN as given, and the passport number
-- normalised as `migdesk_domain::ids::normalise_passport` does (upper case, no spaces or
-- dashes). Generated from the applicant's JSON, so every way an application arrives keeps them.
ALTER TABLE applications ADD COLUMN fin_key TEXT
    GENERATED ALWAYS AS (json_extract(applicant, '$.fin')) VIRTUAL;
ALTER TABLE applications ADD COLUMN passport_key TEXT
    GENERATED ALWAYS AS (upper(replace(replace(replace(json_extract(applicant, '$.passport_number'), ' ', ''), '-', ''), char(9), ''))) VIRTUAL;
CREATE INDEX applications_fin_key ON applications(fin_key) WHERE fin_key IS NOT NULL;
CREATE INDEX applications_passport_key ON applications(passport_key) WHERE passport_key IS NOT NULL;
