// The paper-acts flow (seeds 000, 001, 003: «Банк-Клиент» / «Интернет-Клиент») in C++17 over
// libbankkey, with RAII handles (bankkey.hpp): a new medium, the request, the act of
// recognition printed (text here, PDF beside it), the bank's check of the printed key, the
// certificate, the switch to the new key set.
//
//   paper_acts CA_DIR WORK_DIR
//
// Build: c++ -std=c++17 paper_acts.cpp $(pkg-config --cflags --libs bankkey)
#include "bankkey.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace bk = bankkey;

static std::vector<uint8_t> slurp(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw std::runtime_error("cannot open " + path);
    }
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

static void show(const char *when, const bk_regeneration *r) {
    const bk_regeneration_info *i = nullptr;
    bk::check(bk_regeneration_get_info(r, &i));
    std::cout << "  " << when << ": " << bk::view(i->status_name) << " «" << bk::view(i->status_ru) << "»\n";
}

static std::string id_of(const bk_regeneration *r) {
    const bk_regeneration_info *i = nullptr;
    bk::check(bk_regeneration_get_info(r, &i));
    return std::string(bk::view(i->id));
}

int main(int argc, char **argv) try {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " CA_DIR WORK_DIR\n";
        return 2;
    }
    const std::string ca_dir = argv[1], work = argv[2];
    if (mkdir(work.c_str(), 0700) != 0) {
        std::perror(work.c_str());
        return 2;
    }
    const int64_t t0 = 1804150800; // 2027-03-04 09:00 UTC

    // The bank, in the same process for the example.
    auto ca_pem = slurp(ca_dir + "/ca.pem");
    auto ca = bk::make<bk::certificate>(bk_certificate_parse, ca_pem.data(), ca_pem.size());
    auto key_pem = slurp(ca_dir + "/ca-key.pem");
    auto ca_key = bk::make<bk::signer>(bk_signer_from_pkcs8, key_pem.data(), key_pem.size(),
                                       static_cast<const uint8_t *>(nullptr), size_t{0});
    auto bank = bk::make<bk::bank>(bk_bank_open, (work + "/bank.sqlite").c_str(), ca.get(), ca_key.get(),
                                   static_cast<const bk_bank_options *>(nullptr));

    // The client's subject, field by field; a typing mistake names its field.
    auto subject = bk::make<bk::subject>(bk_subject_new);
    const char *fields[][2] = {{"CN", "ООО «Василёк»"},    {"SN", "Сидорова"},        {"G", "Анна Сергеевна"},
                               {"T", "Главный бухгалтер"}, {"O", "ООО «Василёк»"},   {"L", "г. Тверь"},
                               {"ST", "69 Тверская обл."}, {"C", "RU"},              {"INNLE", "7707083893"},
                               {"OGRN", "1027700132196"},  {"SNILS", "11223344595"}};
    for (auto &f : fields) {
        bk::check(bk_subject_set(subject.get(), f[0], f[1]));
    }
    try {
        bk::check(bk_subject_validate(subject.get(), BK_SUBJECT_LEGAL_ENTITY));
        std::cerr << "a wrong OGRN passed\n";
        return 1;
    } catch (const bk::error &e) {
        std::cout << "the form says: " << e.field() << " — " << e.what() << "\n";
        if (e.status() != BK_INVALID_INPUT || e.field() != "OGRN") {
            return 1;
        }
    }
    bk::check(bk_subject_set(subject.get(), "OGRN", "1027700132195"));
    int64_t subscriber = 0;
    bk::check(bk_bank_preregister(bank.get(), subject.get(), t0, &subscriber));

    // A new medium: a file container (a flash drive), and the client over it.
    const std::string password = "пароль";
    auto store = bk::make<bk::key_store>(bk_file_container_create, (work + "/flash").c_str(),
                                         reinterpret_cast<const uint8_t *>(password.data()), password.size(),
                                         uint32_t{10000});
    auto cl = bk::make<bk::client>(bk_client_open, store.get(), (work + "/journal.sqlite").c_str(), t0);
    bk_assessment a{};
    bk::check(bk_client_assess(cl.get(), t0, 0, &a));
    std::cout << "the client says: «" << a.status_ru << "»\n";

    // Generation, signature, sending (seed 000 steps 1–6).
    auto r = bk::make<bk::regeneration>(bk_client_start, cl.get(), uint32_t{BK_FLOW_PAPER_ACTS},
                                        "gost2012-256-tc26-a", static_cast<const bk_subject *>(subject.get()), t0);
    show("generated", r.get());
    const std::string id = id_of(r.get());
    r = bk::make<bk::regeneration>(bk_client_sign, cl.get(), id.c_str(), static_cast<const char *const *>(nullptr),
                                   size_t{0}, t0);
    show("signed", r.get());
    bk::bytes sent;
    bk::check(bk_client_send(cl.get(), id.c_str(), t0, sent.out()));
    auto rec = bk::make<bk::received>(bk_bank_receive, bank.get(), uint32_t{BK_FLOW_PAPER_ACTS}, sent.data(),
                                      sent.size(), t0 + 60);
    const bk_received_info *ri = nullptr;
    bk::check(bk_received_get_info(rec.get(), &ri));
    const std::string bank_id(bk::view(ri->request_id));
    r = bk::make<bk::regeneration>(bk_client_bank_status, cl.get(), id.c_str(), ri->status,
                                   static_cast<const char *>(nullptr), t0 + 120);
    show("the bank's answer", r.get());

    // The act of recognition, two copies, printed and signed (seed 000 step 7).
    const bk_regeneration_info *gi = nullptr;
    bk::check(bk_regeneration_get_info(r.get(), &gi));
    auto req = bk::make<bk::request>(bk_request_parse, gi->request_der.data, gi->request_der.len);
    bk_document_details d{};
    d.struct_size = sizeof d;
    d.bank_name = "АО «Пример Банк»";
    d.year = 2027;
    d.month = 3;
    d.day = 4;
    d.place = "г. Тверь";
    d.request_number = bank_id.c_str();
    bk_person head{"Сидоров Сергей Петрович", "Генеральный директор", nullptr, nullptr};
    d.head = &head;
    bk::bytes act_text, act_pdf;
    bk::check(bk_document_render(BK_DOCUMENT_ACT, req.get(), nullptr, nullptr, &d, BK_FORMAT_TEXT, act_text.out()));
    bk::check(bk_document_render(BK_DOCUMENT_ACT, req.get(), nullptr, nullptr, &d, BK_FORMAT_PDF, act_pdf.out()));
    std::ofstream(work + "/act.pdf", std::ios::binary)
        .write(reinterpret_cast<const char *>(act_pdf.data()), static_cast<std::streamsize>(act_pdf.size()));
    std::cout << "\n" << act_text.text() << "\n";

    // The bank types in the key printed on the act; then issues (by the next business day).
    rec = bk::make<bk::received>(bk_bank_check_paper_act, bank.get(), bank_id.c_str(),
                                 reinterpret_cast<const char *>(act_text.data()), t0 + 86400);
    bk::check(bk_received_get_info(rec.get(), &ri));
    if (ri->reject_reason != 0) {
        std::cerr << "the act was refused: " << bk::view(ri->reject_ru) << "\n";
        return 1;
    }
    auto cert = bk::make<bk::certificate>(bk_bank_issue, bank.get(), bank_id.c_str(), t0 + 86400);

    // «Получен новый сертификат» → «Вы переведены на работу с новым комплектом ключей».
    r = bk::make<bk::regeneration>(bk_client_receive_certificate, cl.get(), id.c_str(),
                                   static_cast<const bk_certificate *>(cert.get()), t0 + 90000);
    show("received", r.get());
    r = bk::make<bk::regeneration>(bk_client_activate, cl.get(), id.c_str(), t0 + 90060);
    show("activated", r.get());
    bk::check(bk_client_assess(cl.get(), t0 + 90060, 0, &a));
    std::cout << "the client says: «" << a.status_ru << "», " << a.days_left << " days left\n";
    if (a.status != BK_KEY_SET_STATUS_ACTIVE) {
        return 1;
    }
    // A container is backed up (seed 003: keep a copy of the flash drive).
    bk::check(bk_key_store_backup(store.get(), (work + "/flash-backup").c_str(), nullptr));
    std::cout << "paper acts done\n";
    return 0;
} catch (const bankkey::error &e) {
    std::cerr << "bankkey: " << e.what() << (e.field().empty() ? "" : " (field " + e.field() + ")") << "\n";
    return 1;
} catch (const std::exception &e) {
    std::cerr << e.what() << "\n";
    return 1;
}
