-- Issue 13: the web console's data-protection keys (they protect its antiforgery tokens and notices), kept here so that
-- a form one node rendered can be posted to any other. ASP.NET Core's own XML, one row per key; never changed, never read
-- by anything but the key ring.
CREATE TABLE data_protection_keys (
    name text PRIMARY KEY,
    xml  text NOT NULL
);
