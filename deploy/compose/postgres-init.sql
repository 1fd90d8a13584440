-- One database and one owner per service (compose only). DEV-ONLY passwords.
-- Runs once, on an empty data volume, from /docker-entrypoint-initdb.d/.
CREATE ROLE intake LOGIN PASSWORD 'dev-intake-db';
CREATE ROLE routing LOGIN PASSWORD 'dev-routing-db';
CREATE ROLE supervision LOGIN PASSWORD 'dev-supervision-db';
CREATE ROLE reporting LOGIN PASSWORD 'dev-reporting-db';
CREATE ROLE liaison LOGIN PASSWORD 'dev-liaison-db';

CREATE DATABASE minyi_intake OWNER intake ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE minyi_routing OWNER routing ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE minyi_supervision OWNER supervision ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE minyi_reporting OWNER reporting ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE minyi_liaison OWNER liaison ENCODING 'UTF8' TEMPLATE template0;

-- A service may connect only to its own database.
REVOKE CONNECT ON DATABASE minyi_intake FROM PUBLIC;
REVOKE CONNECT ON DATABASE minyi_routing FROM PUBLIC;
REVOKE CONNECT ON DATABASE minyi_supervision FROM PUBLIC;
REVOKE CONNECT ON DATABASE minyi_reporting FROM PUBLIC;
REVOKE CONNECT ON DATABASE minyi_liaison FROM PUBLIC;
