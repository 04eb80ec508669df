"""Sample bank files, written out literally after the published layouts (ISO 20022 camt.053.001.02, .04,
.08 and camt.054.001.08 message definitions; Bankgirot's BgMax technical manual; the Czech banks' ABO/GPC
description), with the payments the tests expect in them. Money is in minor units in the comments.

References used (valid in their standard): Estonian 7-3-1 10016 / 10029 / 10032 (invoices 1001–1003),
RF401001 / RF131002, Swedish OCR with length digit 100164 / 100263 / 100362 / 100461 / 100560 (1001–1005),
Czech variable symbols 1001 / 1002.
"""

from __future__ import annotations

# --- camt.053.001.02: an Estonian bank's statement, December 2026, EUR ----------------------------------
# 1. credit 416.70, structured reference 10016, Mari Maasikas        -> matched by reference
# 2. credit 100.00, the reference in the free text ("arve 10029")    -> matched from the message
# 3. debit 55.20 to Elektrilevi                                        -> not booked
# 4. credit 200.00, no reference, Kati Karu                            -> suggestion or queue
# 5. a pending entry (PDNG)                                            -> left out
CAMT053_V02 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>LHV-20261231-0001</MsgId><CreDtTm>2026-12-31T23:00:00+02:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>20261231-EE382200221020145685</Id>
      <ElctrncSeqNb>12</ElctrncSeqNb>
      <CreDtTm>2026-12-31T23:00:00+02:00</CreDtTm>
      <FrToDt><FrDtTm>2026-12-01T00:00:00+02:00</FrDtTm><ToDtTm>2026-12-31T23:59:59+02:00</ToDtTm></FrToDt>
      <Acct><Id><IBAN>EE382200221020145685</IBAN></Id><Ccy>EUR</Ccy><Svcr><FinInstnId><BIC>HABAEE2X</BIC></FinInstnId></Svcr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2161.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-31</Dt></Dt></Bal>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">416.70</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-03</Dt></BookgDt>
        <ValDt><Dt>2026-12-03</Dt></ValDt>
        <AcctSvcrRef>EE-2026-12-0001</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>EE-2026-12-0001</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">416.70</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>Mari Maasikas</Nm></Dbtr><DbtrAcct><Id><IBAN>EE471000001020145685</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>10016</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>2</NtryRef>
        <Amt Ccy="EUR">100.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-05</Dt></BookgDt>
        <ValDt><Dt>2026-12-05</Dt></ValDt>
        <AcctSvcrRef>EE-2026-12-0002</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>Jüri Tamm</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>arve 10029 tasumine</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>3</NtryRef>
        <Amt Ccy="EUR">55.20</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-10</Dt></BookgDt>
        <ValDt><Dt>2026-12-10</Dt></ValDt>
        <AcctSvcrRef>EE-2026-12-0003</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <AmtDtls><TxAmt><Amt Ccy="EUR">55.20</Amt></TxAmt></AmtDtls>
          <RltdPties><Cdtr><Nm>Elektrilevi OÜ</Nm></Cdtr><CdtrAcct><Id><IBAN>EE701700017000273007</IBAN></Id></CdtrAcct></RltdPties>
          <RmtInf><Ustrd>Arve 88231 november</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>4</NtryRef>
        <Amt Ccy="EUR">200.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><DtTm>2026-12-20T10:15:00+02:00</DtTm></BookgDt>
        <ValDt><Dt>2026-12-20</Dt></ValDt>
        <AcctSvcrRef>EE-2026-12-0004</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <AmtDtls><TxAmt><Amt Ccy="EUR">200.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>KARU KATI</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>üür detsember</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">999.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>PDNG</Sts>
        <ValDt><Dt>2027-01-02</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()

# --- camt.053.001.04: a batch booking and a reversal, RF references, EUR ----------------------------------
# 1. one entry of 300.00 booked as a batch of two transfers: 120.00 RF401001 and 180.00 RF131002
# 2. a credit of 50.00 sent back (RvslInd true, DBIT)                   -> a reversal, not booked
CAMT053_V04 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>SEB-20261130</MsgId><CreDtTm>2026-11-30T22:10:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>SEB-20261130-1</Id>
      <CreDtTm>2026-11-30T22:10:00</CreDtTm>
      <Acct><Id><IBAN>EE381010220012345678</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="EUR">300.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-11-27</Dt></BookgDt>
        <ValDt><Dt>2026-11-27</Dt></ValDt>
        <AcctSvcrRef>B-20261127-77</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch><NbOfTxs>2</NbOfTxs><TtlAmt Ccy="EUR">300.00</TtlAmt><CdtDbtInd>CRDT</CdtDbtInd></Btch>
          <TxDtls>
            <Refs><AcctSvcrRef>B-20261127-77-1</AcctSvcrRef><EndToEndId>E2E-1</EndToEndId></Refs>
            <Amt Ccy="EUR">120.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Nm>Peeter Pood</Nm></Dbtr><DbtrAcct><Id><IBAN>EE341010220011112222</IBAN></Id></DbtrAcct></RltdPties>
            <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>RF40 1001</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>B-20261127-77-2</AcctSvcrRef></Refs>
            <Amt Ccy="EUR">180.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Nm>Liis Lepp</Nm></Dbtr></RltdPties>
            <RmtInf><Strd><CdtrRefInf><Ref>RF131002</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">50.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <RvslInd>true</RvslInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-11-28</Dt></BookgDt>
        <ValDt><Dt>2026-11-28</Dt></ValDt>
        <AcctSvcrRef>B-20261128-02</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Amt Ccy="EUR">50.00</Amt>
          <RltdPties><Dbtr><Nm>Peeter Pood</Nm></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>RF401001</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""

# --- camt.053.001.08: a Czech bank's statement in CZK, variable symbols -----------------------------------
# 1. credit 4 167.00, <Ref>VS:1001</Ref>, Novák Jan (v08: Dbtr/Pty/Nm)  -> matched, invoice VS 1001
# 2. credit 2 500.00, the symbol only in EndToEndId "/VS/1002/SS//KS/0308" -> matched from the message
# 3. credit 100.00 in EUR                                                 -> another currency, not booked
CAMT053_V08 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>CSOB-2026-12</MsgId><CreDtTm>2026-12-31T20:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>CSOB-2026-12-192000145399</Id>
      <CreDtTm>2026-12-31T20:00:00</CreDtTm>
      <FrToDt><FrDtTm>2026-12-01T00:00:00</FrDtTm><ToDtTm>2026-12-31T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>CZ6508000000192000145399</IBAN></Id><Ccy>CZK</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CZK">6667.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-31</Dt></Dt></Bal>
      <Ntry>
        <NtryRef>2026120200001</NtryRef>
        <Amt Ccy="CZK">4167.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-02</Dt></BookgDt>
        <ValDt><Dt>2026-12-02</Dt></ValDt>
        <AcctSvcrRef>CZ-000123</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>/VS/1001/SS//KS/0308</EndToEndId></Refs>
          <Amt Ccy="CZK">4167.00</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Novák Jan</Nm></Pty></Dbtr><DbtrAcct><Id><Othr><Id>2213456789/6210</Id></Othr></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>VS:1001</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>2026120500001</NtryRef>
        <Amt Ccy="CZK">2500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-05</Dt></BookgDt>
        <AcctSvcrRef>CZ-000124</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>/VS/1002/SS//KS/0308</EndToEndId></Refs>
          <Amt Ccy="CZK">2500.00</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Dvořáková Marie</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>zálohy prosinec</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">100.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-07</Dt></BookgDt>
        <AcctSvcrRef>CZ-000125</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Amt Ccy="EUR">100.00</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Novák Jan</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>1001</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()

# --- camt.054.001.08: the bank's notification of the first credit of CAMT053_V02 (same AcctSvcrRef) -------
CAMT054_V08 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>LHV-N-20261203-17</MsgId><CreDtTm>2026-12-03T09:12:00+02:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N-20261203-17</Id>
      <CreDtTm>2026-12-03T09:12:00+02:00</CreDtTm>
      <Acct><Id><IBAN>EE382200221020145685</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">416.70</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-03</Dt></BookgDt>
        <ValDt><Dt>2026-12-03</Dt></ValDt>
        <AcctSvcrRef>EE-2026-12-0001</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="EUR">416.70</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Mari Maasikas</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>10016</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""

# --- BgMax: one deposit of 2 December 2026 to bankgiro 5050-1055 (ISO 8859-1) ------------------------------
# TK20 4 167.00 OCR 100164 (reference code 2), Åsa Öberg                      -> matched
# TK20 8 000.00 with several references (code 3: 100263 100362, TK22 100461) -> matched, the first named
# TK20 1 290.00 without reference (code 1), a paper slip, Cecilia Berg       -> queue
# TK21 deduction of 129.00 (OCR 100560)                                      -> shown, not booked
# TK15: the deposit of 13 328.00 (4 payments); TK70: 3 payments, 1 deduction, 1 extra reference, 1 deposit
BGMAX_LINES = [
    "01BGMAX               0120261203063015000000P                                   ",
    "050050501055          SEK                                                       ",
    "200009912346                   100164000000000000416700210000000000010          ",
    "26Åsa Öberg                                                                     ",
    "27Solrosgatan 3                      11846                                      ",
    "28Stockholm                                                                     ",
    "200001234567100263 100362            000000000000800000310000000000020          ",
    "220001234567                   100461000000000000000000210000000000020          ",
    "25Avgift nov och dec                                                            ",
    "26Bertil Nilsson                                                                ",
    "200005555555                         000000000000129000130000000000031          ",
    "25Hyra lgh 1102                                                                 ",
    "26Cecilia Berg                                                                  ",
    "210009912346                   1005600000000000000129002100000000000400         ",
    "26Åsa Öberg                                                                     ",
    "15000000000000000000000584100000100982026120200042000000000001332800SEK00000004 ",
    "7000000003000000010000000100000001                                              ",
]
BGMAX = ("\r\n".join(BGMAX_LINES) + "\r\n").encode("iso-8859-1")

# --- ABO/GPC: statement 12 of account 19-2000145399, December 2026 (Windows-1250) ------------------------
# 075 credit 4 167.00 VS 1001 from 2213456789/6210, Novák Jan, with a 078 message -> matched
# 075 credit 2 500.00 without VS, message "platba VS 1002 prosinec"              -> matched from the message
# 075 debit 12 345.00 to ČEZ                                                      -> not booked
# 075 storno of a credit, 1 000.00 (accounting code 5)                            -> reversal, not booked
GPC_LINES = [
    "0740000192000145399SVJ Na Kopci        30112600000001500000+00000000832200+000000013345000000000006667000012311226              ",
    "0750000192000145399000000221345678900000000001230000004167002000000100100621003080000000000021226Novák Jan           00203021226",
    "078Zaloha na sluzby 12/2026                                                                                                     ",
    "0750000192000145399000000098765432100000000001240000002500002000000000000080000000000000000051226Dvořáková Marie     00203051226",
    "078platba VS 1002 prosinec                                                                                                      ",
    "0750000192000145399000000000000123400000000001250000012345001000000000000030000000000000000101226ČEZ Prodej          00203101226",
    "0750000192000145399000000221345678900000000001260000001000005000000100100621000000000000000151226Novák Jan           00203151226",
]
GPC = ("\r\n".join(GPC_LINES) + "\r\n").encode("cp1250")

# --- a Swedish bank's CSV export (semicolons, decimal comma, a thousands space) ------------------------
CSV_HEADER = "Bokföringsdag;Valutadag;Belopp;Avsändare;Referens;Meddelande;Verifikationsnummer"
CSV_ROWS = [
    "2026-12-02;2026-12-02;4 167,00;Åsa Öberg;100164;;V-0001",
    "2026-12-03;2026-12-03;1 290,00;Cecilia Berg;;Hyra lgh 1102;V-0002",
    "2026-12-04;2026-12-04;-350,00;Vattenfall AB;;Faktura 7781;V-0003",
]
CSV_TEXT = "\n".join([CSV_HEADER, *CSV_ROWS]) + "\n"

assert all(len(line) == 80 for line in BGMAX_LINES)
assert all(len(line) == 128 for line in GPC_LINES)
