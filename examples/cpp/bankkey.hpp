// A small C++17 layer over libbankkey's C ABI: unique_ptr handles freed by the library's
// _free functions, owned bytes freed (and wiped) by bk_bytes_free, and one exception type
// that copies the thread's error detail at once. Header-only; it adds no rule of its own.
#ifndef BANKKEY_HPP
#define BANKKEY_HPP

#include <bankkey.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bankkey {

// A failed call: the status and the detail the library kept for this thread.
class error : public std::runtime_error {
public:
    explicit error(bk_status s)
        : std::runtime_error(std::string(bk_status_name(s)) + ": " + bk_last_error_message()),
          status_(s), field_(bk_last_error_field() ? bk_last_error_field() : ""), ckr_(bk_last_error_ckr()) {}
    bk_status status() const noexcept { return status_; }
    // The attribute or parameter the error is about ("INN", "pin"), or "".
    const std::string &field() const noexcept { return field_; }
    uint64_t ckr() const noexcept { return ckr_; }

private:
    bk_status status_;
    std::string field_;
    uint64_t ckr_;
};

inline void check(bk_status s) {
    if (s != BK_OK) {
        throw error(s);
    }
}

template <typename T, void (*Free)(T *)> struct deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T *)> using handle = std::unique_ptr<T, deleter<T, Free>>;

using certificate = handle<bk_certificate, bk_certificate_free>;
using request = handle<bk_request, bk_request_free>;
using subject = handle<bk_subject, bk_subject_free>;
using signer = handle<bk_signer, bk_signer_free>;
using key_store = handle<bk_key_store, bk_key_store_free>;
using client = handle<bk_client, bk_client_free>;
using regeneration = handle<bk_regeneration, bk_regeneration_free>;
using bank = handle<bk_bank, bk_bank_free>;
using received = handle<bk_received, bk_received_free>;

// Bytes the library made: freed and wiped when the object goes.
class bytes {
public:
    bytes() = default;
    bytes(const bytes &) = delete;
    bytes &operator=(const bytes &) = delete;
    ~bytes() { bk_bytes_free(&b_); }
    bk_bytes *out() noexcept { return &b_; }
    const uint8_t *data() const noexcept { return b_.data; }
    size_t size() const noexcept { return b_.len; }
    std::string_view text() const noexcept { return {reinterpret_cast<const char *>(b_.data), b_.len}; }

private:
    bk_bytes b_{};
};

inline std::string_view view(bk_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

// Calls a constructor-like C function and wraps its out-parameter.
template <typename H, typename F, typename... A> H make(F f, A... args) {
    typename H::pointer p = nullptr;
    check(f(args..., &p));
    return H(p);
}

} // namespace bankkey

#endif
