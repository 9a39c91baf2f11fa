"""Keys the Teams stand-in signs with, generated on the spot: an RSA key per signer (JWKs published
at the stand-in's OpenID metadata) and a throw-away certificate authority for its HTTPS sign-in
endpoint (MSAL speaks only HTTPS). Nothing here is a credential: every key dies with the process."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm


@dataclass
class Signer:
    """An RSA key with its key id: signs tokens (RS256) and publishes its public half as a JWK."""

    kid: str
    key: rsa.RSAPrivateKey
    endorsements: tuple[str, ...] = ()  # Bot Framework's channel endorsements ("msteams")

    @classmethod
    def generate(cls, endorsements: tuple[str, ...] = ()) -> Signer:
        return cls(uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                   endorsements)

    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        data.update(kid=self.kid, use="sig", alg="RS256")
        if self.endorsements:
            data["endorsements"] = list(self.endorsements)
        return data

    def sign(self, claims: dict[str, Any], lifetime: float = 3600.0, **header: Any) -> str:
        now = int(time.time())
        body = {"iat": now, "nbf": now - 5, "exp": now + int(lifetime), **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid, **header})


@dataclass(frozen=True)
class Tls:
    """A certificate authority and a server certificate for 127.0.0.1 and localhost, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ncpi stand-in (local only)")])


def make_tls(folder: Path) -> Tls:
    """Write ca.pem, server.pem and server.key into `folder` (valid for a day)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(_name("ncpi stand-in CA")).issuer_name(_name("ncpi stand-in CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    tls = Tls(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    tls.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return tls
