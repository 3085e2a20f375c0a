-- Keyhold schema 5 (S27): hourly code budgets per account and kind of send.
--
-- A send is charged to the account that asked for it and to one of two budgets:
-- 'sign-in' (a code to a verified method of that account) or 'setup' (a code to
-- an address not yet confirmed: a method setup or a contact change). One
-- account's setups can then never spend the budget another account's sign-in
-- codes need. Rows written before this version carry neither (NULL) and are
-- counted against every budget of their destination, which errs on the side of
-- fewer sends for the hour they still matter.
ALTER TABLE code_sends ADD COLUMN account_id INTEGER;
ALTER TABLE code_sends ADD COLUMN budget TEXT CHECK (budget IN ('sign-in', 'setup'));

-- Destinations are counted by their canonical form: an email address trimmed
-- and lower-cased (the contract accepts ASCII addresses only, so SQLite's
-- ASCII lower() agrees with the code's), a phone number already E.164.
UPDATE code_sends SET destination = lower(trim(destination)) WHERE destination LIKE '%@%';
