"""Background work of mail.

IMAP polling is not a periodic job of the worker: `portico mailin --imap` polls (every
PORTICO_IMAP_POLL_SECONDS, or once with --once). A poll holds a network connection for
as long as the IMAP server takes, which would hold a worker's turn at the periodic
jobs; and mail-in is one process an operator starts, stops and reads the log of, for
SMTP/LMTP and IMAP alike."""
