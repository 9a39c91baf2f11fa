"""The kinds of personal data the guard finds: codes only (each front end's catalogue words them)."""

from __future__ import annotations

DOB = "dob"
CRIME_REF = "crime_ref"
NHS = "nhs_number"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode"
CHILD_NAME = "child_name"
NI_NUMBER = "ni_number"
RECORD_ID = "record_id"
ADDRESS = "address"
SCHOOL = "school"
BANK = "bank_details"
KINDS = (DOB, CRIME_REF, NHS, PHONE, EMAIL, POSTCODE, CHILD_NAME, NI_NUMBER, RECORD_ID, ADDRESS, SCHOOL, BANK)
