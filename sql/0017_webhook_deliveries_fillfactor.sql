-- Room on each page of webhook_deliveries for its claims (issue 19). A claim sets the lease columns,
-- none of them indexed, so with free space on the row's page PostgreSQL writes the new version there
-- without new index entries (a HOT update); on full pages (the default fillfactor of 100) every claim
-- wrote a new entry in each of the table's three indexes. Applies to pages written from now on.
ALTER TABLE webhook_deliveries SET (fillfactor = 70);
