"""The local signing identity: a root CA and an ES256 signing certificate, made on first use.

C2PA signers need an X.509 chain. SafeLens has no public certificate authority, so the first
export makes a local one with ``cryptography``:

- a root CA (P-256, CA=true, keyCertSign) whose key is thrown away once the leaf is issued;
- a leaf (P-256, ES256) with CA=false, key usage digitalSignature and extended key usage
  emailProtection, which is what the C2PA library accepts from an unknown root offline.

Files in the identity folder: ``root-ca.pem`` (the trust anchor readers may be given),
``signer-chain.pem`` (the leaf; intermediates would follow it; never the root) and
``signer-key.pem`` (the leaf's private key, mode 0600). The folder is created complete or
not at all: it is built under a temporary name beside it and renamed into place, so two
processes starting at once end up sharing one identity.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_FILE = "root-ca.pem"
CHAIN_FILE = "signer-chain.pem"
KEY_FILE = "signer-key.pem"
ROOT_YEARS = 20
LEAF_YEARS = 10


class IdentityError(RuntimeError):
    """The identity folder is incomplete or its files do not belong together."""


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """PEM texts of one local identity and the folder they came from."""

    folder: Path
    root_pem: bytes
    chain_pem: bytes
    key_pem: bytes

    @property
    def leaf(self) -> x509.Certificate:
        return x509.load_pem_x509_certificates(self.chain_pem)[0]

    @property
    def root(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.root_pem)

    @property
    def root_sha256(self) -> str:
        return self.root.fingerprint(hashes.SHA256()).hex()


def load_or_create_identity(folder: Path, organisation: str = "SafeLens") -> SigningIdentity:
    """The identity kept in ``folder``; made there if the folder does not exist yet."""
    if not folder.exists():
        try:
            _create(folder, organisation)
        except OSError as exc:
            raise IdentityError(
                f"{folder}: cannot create the signing identity ({exc.strerror or exc}); choose a writable "
                "data folder with --data-dir or $SAFELENS_DATA_DIR"
            ) from None
    return load_identity(folder)


def load_identity(folder: Path) -> SigningIdentity:
    """Read and cross-check an existing identity folder."""
    texts: dict[str, bytes] = {}
    for name in (ROOT_FILE, CHAIN_FILE, KEY_FILE):
        path = folder / name
        try:
            texts[name] = path.read_bytes()
        except FileNotFoundError:
            raise IdentityError(f"{path}: missing; the identity folder {folder} is incomplete (delete it to make a new one)") from None
    try:
        root = x509.load_pem_x509_certificate(texts[ROOT_FILE])
    except ValueError as exc:
        raise IdentityError(f"{folder / ROOT_FILE}: not a PEM certificate ({exc})") from None
    try:
        chain = x509.load_pem_x509_certificates(texts[CHAIN_FILE])
    except ValueError as exc:
        raise IdentityError(f"{folder / CHAIN_FILE}: not PEM certificates ({exc})") from None
    try:
        key = serialization.load_pem_private_key(texts[KEY_FILE], password=None)
    except (ValueError, TypeError) as exc:
        raise IdentityError(f"{folder / KEY_FILE}: not an unencrypted PEM private key ({exc})") from None
    leaf = chain[0]
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != (
        leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ):
        raise IdentityError(f"{folder / KEY_FILE}: the key does not belong to the certificate in {CHAIN_FILE}")
    issuer = chain[-1]
    try:
        issuer.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        raise IdentityError(f"{folder / CHAIN_FILE}: the chain was not issued by {folder / ROOT_FILE}") from None
    return SigningIdentity(folder=folder, root_pem=texts[ROOT_FILE], chain_pem=texts[CHAIN_FILE], key_pem=texts[KEY_FILE])


def _create(folder: Path, organisation: str) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.new-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        root_pem, chain_pem, key_pem = _make_chain(organisation)
        _write(staging / ROOT_FILE, root_pem, 0o644)
        _write(staging / CHAIN_FILE, chain_pem, 0o644)
        _write(staging / KEY_FILE, key_pem, 0o600)
        try:
            os.rename(staging, folder)
        except OSError:
            if not folder.is_dir():
                raise
            # Another process made the identity first: use theirs.
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _name(organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _make_chain(organisation: str) -> tuple[bytes, bytes, bytes]:
    """(root certificate, signer chain, signer key) as PEM."""
    now = dt.datetime.now(dt.timezone.utc)
    start = now - dt.timedelta(hours=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(organisation, f"{organisation} local root CA")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation, f"{organisation} export signer"))
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=365 * LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return root.public_bytes(pem), leaf.public_bytes(pem), key_pem
