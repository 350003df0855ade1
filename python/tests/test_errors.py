"""The exceptions: one class per core ErrorKind, with the C code, the field, and no secret."""

from __future__ import annotations

import pickle

import pytest

import bankkey
from bankkey import exceptions
from bankkey._native import _raise_error, error_kinds


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Error"


def test_every_kind_has_its_class_with_the_c_code() -> None:
    kinds = error_kinds()
    assert len(kinds) >= 26
    for code, name, _description in kinds:
        cls = exceptions.exception_for_code(code)
        assert cls.code == code, name
        assert cls.kind == name
        expected = "Pkcs11Error" if name == "pkcs11" else camel(name)
        assert cls.__name__ == expected
        assert getattr(bankkey, expected) is cls
        with pytest.raises(cls) as info:
            _raise_error(code, "boom", "INN")
        assert info.value.code == code
        assert info.value.field == "INN"
        assert info.value.message == "boom"
        assert "boom" in str(info.value)


def test_no_class_without_a_kind() -> None:
    codes = {code for code, _, _ in error_kinds()}
    assert set(exceptions._BY_CODE) == codes


@pytest.mark.parametrize(
    "code,base",
    [
        (1999, exceptions.InputError),
        (2999, exceptions.TrustError),
        (3999, exceptions.LifecycleError),
        (4999, exceptions.TokenError),
        (5999, exceptions.PersistenceError),
        (8123, exceptions.BankKeyError),
    ],
)
def test_an_unknown_code_maps_to_its_range(code: int, base: type) -> None:
    assert exceptions.exception_for_code(code) is base


def test_ranges_and_value_error() -> None:
    assert issubclass(bankkey.InvalidInputError, ValueError)
    assert issubclass(bankkey.MalformedEncodingError, ValueError)
    assert issubclass(bankkey.PinLockedError, bankkey.TokenError)
    assert issubclass(bankkey.ExpiredError, bankkey.TrustError)
    assert issubclass(bankkey.StorageError, bankkey.PersistenceError)
    assert issubclass(bankkey.WrongStateError, bankkey.LifecycleError)


def test_exceptions_pickle() -> None:
    with pytest.raises(bankkey.InvalidInputError) as info:
        _raise_error(1000, "wrong check digit", "SNILS")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is bankkey.InvalidInputError
    assert (again.code, again.field, again.message) == (1000, "SNILS", "wrong check digit")


def test_malformed_input_names_what_was_expected() -> None:
    with pytest.raises(bankkey.MalformedEncodingError) as info:
        bankkey.load_certificate(b"\x30\x03\x02\x01")
    assert info.value.code == 1001


def test_a_wrong_password_is_not_in_the_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import FIXTURES

    key = (FIXTURES / "encrypted" / "gost2012_256-A.aes-256-cbc.hmac-sha256.pem").read_bytes()
    secret = "Tr0ub4dor&3-not-the-password"
    report = bankkey.inspect(key, password=secret)
    assert report.verdict == "invalid"
    assert secret not in report.to_json()
