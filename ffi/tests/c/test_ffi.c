/* Bad input through the C ABI: every case gives a status and a message, never a crash.
 *
 *   test_ffi PKI_DIR PHOTO RECORD_JSON WORK_DIR
 *
 * Prints one line a check and a closing "N passed, M failed"; exit status 0 only when none failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cccd.h"

static int passed = 0, failed = 0;

/* One check: `ok`, with what was expected and what the call said. */
static void check(int ok, const char *what, cccd_status rc, const cccd_error *err) {
    if (ok) passed++; else failed++;
    printf("%s %s (code %d: %s)\n", ok ? "ok  " : "FAIL", what, (int)rc,
           err && err->message ? err->message : "no message");
}

/* A status with a non-empty message in `err` and the code `want`. */
static int is(cccd_status rc, const cccd_error *err, cccd_status want) {
    return rc == want && err->code == want && err->message && err->message[0];
}

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = 0; *len = (size_t)n; }
    return buf;
}

static int write_file(const char *path, const unsigned char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Callbacks a broken encoder could be. */
static int calls = 0;
static int cb_error(void *ctx, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap, size_t *len) {
    (void)ctx; (void)apdu; (void)n; (void)resp; (void)cap; (void)len;
    calls++;
    return -7;
}
static int cb_one_byte(void *ctx, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap, size_t *len) {
    (void)ctx; (void)apdu; (void)n; (void)cap;
    resp[0] = 0x90;
    *len = 1;
    return 0;
}
static int cb_noise(void *ctx, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap, size_t *len) {
    (void)apdu; (void)n;
    unsigned *seed = ctx;
    size_t k = 2 + (*seed % 40);
    for (size_t i = 0; i < k && i < cap; i++) { *seed = *seed * 1103515245u + 12345u; resp[i] = (uint8_t)(*seed >> 16); }
    *len = k;
    return 0;
}
static int cb_overrun(void *ctx, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap, size_t *len) {
    (void)ctx; (void)apdu; (void)n; (void)resp;
    *len = cap + 100;
    return 0;
}
/* the virtual chip, with every response's last data byte flipped (a corrupting link) */
static int cb_corrupting(void *ctx, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap, size_t *len) {
    int rc = cccd_virtual_chip_transmit(ctx, apdu, n, resp, cap, len);
    if (rc == 0 && *len > 2) resp[*len - 3] ^= 0x01;
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s PKI_DIR PHOTO RECORD_JSON WORK_DIR\n", argv[0]); return 2; }
    const char *pki = argv[1], *work = argv[4];
    size_t photo_len = 0, record_len = 0;
    unsigned char *photo = slurp(argv[2], &photo_len);
    char *record = (char *)slurp(argv[3], &record_len);
    if (!photo || !record) { fprintf(stderr, "cannot read the photo or the record\n"); return 2; }
    cccd_error err = {0};
    char *json = NULL;
    char chip_dir[4096], path[4200];
    snprintf(chip_dir, sizeof chip_dir, "%s/chip", work);

    /* malformed JSON */
    cccd_status rc = cccd_issue("{\"id_number\": \"0010", photo, photo_len, pki, chip_dir, NULL, &json, &err);
    check(is(rc, &err, CCCD_ERR_INPUT) && !json, "truncated record JSON refused as input", rc, &err);
    rc = cccd_issue(record, photo, photo_len, pki, chip_dir, "{\"profile\": ", &json, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_ARGUMENT), "malformed options JSON refused", rc, &err);
    rc = cccd_issue(record, photo, photo_len, pki, chip_dir, "{\"profil\": \"open\"}", &json, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_ARGUMENT), "unknown option refused", rc, &err);
    rc = cccd_read(cccd_virtual_chip_transmit, NULL, "[1, 2", &json, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_ARGUMENT), "malformed read options refused", rc, &err);

    /* NULL, invalid UTF-8, oversized */
    rc = cccd_issue(NULL, photo, photo_len, pki, chip_dir, NULL, &json, &err);
    check(is(rc, &err, CCCD_ERR_NULL_ARGUMENT), "NULL record refused", rc, &err);
    rc = cccd_issue(record, NULL, 10, pki, chip_dir, NULL, &json, &err);
    check(is(rc, &err, CCCD_ERR_NULL_ARGUMENT), "NULL photo with a length refused", rc, &err);
    rc = cccd_verify_image("chip-\xff\xfe", NULL, &json, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_UTF8), "path that is not UTF-8 refused", rc, &err);
    rc = cccd_verify_image(chip_dir, NULL, NULL, &err);
    check(is(rc, &err, CCCD_ERR_NULL_ARGUMENT), "NULL json_out refused", rc, &err);
    char *huge = malloc(CCCD_MAX_TEXT + 2);
    memset(huge, 'a', CCCD_MAX_TEXT + 1);
    huge[CCCD_MAX_TEXT + 1] = 0;
    rc = cccd_qr_parse(huge, &json, &err);
    check(is(rc, &err, CCCD_ERR_TOO_LARGE), "text over CCCD_MAX_TEXT refused", rc, &err);
    free(huge);
    rc = cccd_inspect("x", photo, (size_t)CCCD_MAX_BYTES + 1, &json, &err);
    check(is(rc, &err, CCCD_ERR_TOO_LARGE), "bytes over CCCD_MAX_BYTES refused", rc, &err);

    /* an image to work with */
    rc = cccd_issue(record, photo, photo_len, pki, chip_dir, NULL, &json, &err);
    check(rc == CCCD_OK && json && strstr(json, "\"command\": \"issue\""), "issue", rc, &err);
    cccd_string_free(json);
    rc = cccd_issue(record, photo, photo_len, pki, chip_dir, NULL, &json, &err);
    check(is(rc, &err, CCCD_ERR_INPUT) && strstr(err.message, "already exists"), "issue into an existing folder refused", rc, &err);

    /* a truncated file */
    size_t dg1_len = 0;
    snprintf(path, sizeof path, "%s/DG1.bin", chip_dir);
    unsigned char *dg1 = slurp(path, &dg1_len);
    rc = cccd_inspect("DG1.bin", dg1, dg1_len, &json, &err);
    check(rc == CCCD_OK && json && strstr(json, "\"file\": \"DG1\""), "inspect DG1", rc, &err);
    cccd_string_free(json);
    rc = cccd_inspect("DG1.bin", dg1, dg1_len / 2, &json, &err);
    check(is(rc, &err, CCCD_ERR_INPUT) && json && strstr(json, "\"ok\": false"), "truncated DG1 refused, with its item", rc, &err);
    cccd_string_free(json);
    free(dg1);
    size_t sod_len = 0;
    snprintf(path, sizeof path, "%s/EF.SOD.bin", chip_dir);
    unsigned char *sod = slurp(path, &sod_len);
    snprintf(path, sizeof path, "%s/truncated", work);
    char cmd[8600];
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", chip_dir, path);
    int copied = system(cmd) == 0;
    snprintf(cmd, sizeof cmd, "%s/truncated/EF.SOD.bin", work);
    copied = copied && sod && write_file(cmd, sod, sod_len / 3);
    rc = cccd_verify_image(path, NULL, &json, &err);
    check(copied && (rc == CCCD_NOT_GENUINE || rc == CCCD_ERR_INPUT) && err.message && err.message[0],
          "image with a truncated EF.SOD not genuine", rc, &err);
    cccd_string_free(json);
    free(sod);

    /* callbacks: an error, garbage, an overrun */
    const char *can_opts = "{\"can\": \"123456\"}";
    calls = 0;
    rc = cccd_read(cb_error, NULL, can_opts, &json, &err);
    check(is(rc, &err, CCCD_ERR_CALLBACK) && strstr(err.message, "-7") && calls > 0 && !json,
          "callback returning an error", rc, &err);
    rc = cccd_read(cb_one_byte, NULL, can_opts, &json, &err);
    check(is(rc, &err, CCCD_ERR_CHIP), "callback returning one byte", rc, &err);
    unsigned seed = 42;
    rc = cccd_read(cb_noise, &seed, can_opts, &json, &err);
    check(rc != CCCD_OK && rc != CCCD_ERR_INTERNAL && err.message && err.message[0], "callback returning noise", rc, &err);
    rc = cccd_read(cb_overrun, NULL, can_opts, &json, &err);
    check(is(rc, &err, CCCD_ERR_CALLBACK), "callback claiming more than its buffer", rc, &err);
    rc = cccd_read(NULL, NULL, can_opts, &json, &err);
    check(is(rc, &err, CCCD_ERR_NULL_ARGUMENT), "NULL callback refused", rc, &err);
    rc = cccd_personalize(cb_error, NULL, chip_dir, "{\"transport_key\": \"00112233445566778899AABBCCDDEEFF\"}",
                          &json, &err);
    check(is(rc, &err, CCCD_ERR_CALLBACK) && json && strstr(json, "\"command\": \"perso\""),
          "personalize through a failing callback: code and report", rc, &err);
    cccd_string_free(json);

    /* the virtual chip: a wrong transport key, a short buffer, a corrupting link */
    const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    cccd_virtual_chip *chip = NULL;
    rc = cccd_virtual_chip_new_blank(key, &chip, &err);
    check(rc == CCCD_OK && chip, "blank virtual chip", rc, &err);
    rc = cccd_personalize(cccd_virtual_chip_transmit, chip, chip_dir,
                          "{\"transport_key\": \"FFEEDDCCBBAA99887766554433221100\"}", &json, &err);
    check(is(rc, &err, CCCD_ERR_ACCESS_REFUSED), "wrong transport key refused", rc, &err);
    cccd_string_free(json);
    rc = cccd_personalize(cccd_virtual_chip_transmit, chip, chip_dir, "{\"transport_key\": \"0011\"}", &json, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_ARGUMENT), "short transport key refused", rc, &err);
    const uint8_t select[] = {0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};
    uint8_t small[1];
    size_t small_len = 0;
    int t = cccd_virtual_chip_transmit(chip, select, sizeof select, small, sizeof small, &small_len);
    check(t == CCCD_TRANSMIT_BUFFER_TOO_SMALL, "virtual chip: short response buffer", (cccd_status)t, NULL);
    t = cccd_virtual_chip_transmit(chip, select, sizeof select, small, sizeof small, NULL);
    check(t == -1, "virtual chip: NULL resp_len", (cccd_status)t, NULL);
    cccd_virtual_chip_free(chip);
    cccd_virtual_chip_free(NULL);
    chip = NULL;
    rc = cccd_virtual_chip_from_image(chip_dir, &chip, &err);
    check(rc == CCCD_OK && chip, "virtual chip from the image", rc, &err);
    rc = cccd_read(cb_corrupting, chip, "{\"mrz\": \"not an mrz!\"}", &json, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_ARGUMENT), "malformed MRZ access key refused", rc, &err);
    size_t can_len = 0;
    snprintf(path, sizeof path, "%s/secrets/can", chip_dir);
    char *can = (char *)slurp(path, &can_len);
    char opts[256];
    snprintf(opts, sizeof opts, "{\"can\": \"%.6s\"}", can ? can : "000000");
    rc = cccd_read(cb_corrupting, chip, opts, &json, &err);
    check(rc != CCCD_OK && rc != CCCD_ERR_INTERNAL && err.message && err.message[0], "read over a corrupting link fails",
          rc, &err);
    cccd_string_free(json);
    rc = cccd_read(cccd_virtual_chip_transmit, chip, "{\"can\": \"000000\"}", &json, &err);
    check(is(rc, &err, CCCD_ERR_ACCESS_REFUSED) || (rc == CCCD_ERR_CHIP && err.message), "wrong CAN refused", rc, &err);
    rc = cccd_read(cccd_virtual_chip_transmit, chip, opts, &json, &err);
    check(rc == CCCD_NOT_GENUINE && json && strstr(json, "\"value\": \"incomplete\""),
          "read without trust material: incomplete (no CSCA to check), with the report", rc, &err);
    cccd_string_free(json);
    free(can);
    cccd_virtual_chip_free(chip);

    /* QR */
    char *payload = NULL;
    rc = cccd_qr_build(record, 2024, &payload, &err);
    check(rc == CCCD_OK && payload && strchr(payload, '|'), "QR payload built", rc, &err);
    rc = cccd_qr_parse(payload ? payload : "", &json, &err);
    check(rc == CCCD_OK && json && strstr(json, "\"layout\": \"2024\""), "QR payload parsed back", rc, &err);
    cccd_string_free(json);
    uint8_t *png = NULL;
    size_t png_len = 0;
    rc = cccd_qr_png(payload ? payload : "", 4, &png, &png_len, &err);
    check(rc == CCCD_OK && png_len > 8 && memcmp(png, "\x89PNG", 4) == 0, "QR PNG rendered", rc, &err);
    cccd_bytes_free(png, png_len);
    cccd_string_free(payload);
    rc = cccd_qr_build(record, 1999, &payload, &err);
    check(is(rc, &err, CCCD_ERR_INVALID_ARGUMENT) && !payload, "unknown QR layout refused", rc, &err);
    rc = cccd_qr_parse("001099012345||garbage", &json, &err);
    check(is(rc, &err, CCCD_ERR_INPUT) && !json, "malformed QR payload refused", rc, &err);

    cccd_error_free(&err);
    check(err.message == NULL && err.code == CCCD_OK, "cccd_error_free resets", CCCD_OK, NULL);
    free(photo);
    free(record);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
