"""Bank statement import (SPEC B6, issue 13 item 4): reading bank files, matching their credits to invoices,
booking them, and the queue of credits that matched nothing.

- statement.py: the uniform statement every format reads into, and BankFileError;
- camt.py, bgmax.py, gpc.py, csvfile.py: the formats (ISO 20022 camt.053/054, Bankgirot BgMax, Czech
  ABO/GPC, a bank's CSV through a column mapping); reading.py tells them apart by content;
- matching.py: by reference in the association's standard, else a suggestion by amount and name;
- importing.py: upload, preview, booking, discarding and the queue actions.
"""
