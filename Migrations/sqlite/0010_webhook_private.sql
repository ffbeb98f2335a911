-- A webhook may go to a private or loopback address only when whoever added it said so
-- (`webhook add --allow-private`): every other hook is refused such an address, when added
-- and again at each delivery, after its name is resolved.
ALTER TABLE webhooks ADD COLUMN allow_private INTEGER NOT NULL DEFAULT 0;
