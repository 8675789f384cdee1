-- Search across scripts: each case's entry gains its applicant's names' keys
-- (`migdesk_domain::translit::name_key`: `Hüseynov` and `Гусейнов` both key `guseinov`) and the
-- keys of the words its documents' text writes in Cyrillic, Georgian or Persian, so a name typed
-- in one script finds it written in another. New entries are written so by `cache::queue::index`.
UPDATE cases_fts SET text = text || ' ' || az_search_keys(text) || ' ' || (
    SELECT az_name_key(coalesce(json_extract(c.detail, '$.applicant.name_latin'), '') || ' ' ||
                       coalesce(json_extract(c.detail, '$.applicant.name_native'), ''))
    FROM cases c WHERE c.rowid = cases_fts.rowid
);
