/* The whole chain from C: issue a chip image, personalize a blank in-process virtual chip through the transmit
 * callback, read it back through the same callback, verify the image, and see a tampered file refused.
 *
 *   issue_perso_read PKI_DIR PHOTO RECORD_JSON WORK_DIR
 *
 * PKI_DIR is a folder `cccd pki init` wrote; WORK_DIR must exist (the chip image goes to WORK_DIR/chip).
 * A printer SDK's encoder plugs in where cccd_virtual_chip_transmit does: any function of type
 * cccd_transmit_fn with its context pointer. Exit status 0 when every step did what it should. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cccd.h"

/* The whole file at `path` (NUL-terminated too, for text), its length in *len; NULL when unreadable. */
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

/* `text` as a JSON string body (quotes and backslashes escaped) into `out` (`cap` bytes). */
static void json_escape(const char *text, char *out, size_t cap) {
    size_t o = 0;
    for (; *text && o + 3 < cap; text++) {
        if (*text == '"' || *text == '\\') out[o++] = '\\';
        out[o++] = *text;
    }
    out[o] = 0;
}

/* Prints a failed step with its code and message; returns 1. */
static int fail(const char *step, cccd_status code, const cccd_error *err) {
    fprintf(stderr, "%s: code %d: %s\n", step, (int)code, err->message ? err->message : "(no message)");
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s PKI_DIR PHOTO RECORD_JSON WORK_DIR\n", argv[0]);
        return 2;
    }
    const char *pki = argv[1], *photo_path = argv[2], *record_path = argv[3], *work = argv[4];
    size_t photo_len = 0, record_len = 0;
    unsigned char *photo = slurp(photo_path, &photo_len);
    char *record = (char *)slurp(record_path, &record_len);
    if (!photo || !record) { fprintf(stderr, "cannot read the photo or the record\n"); return 2; }

    cccd_error err = {0}; /* zeroed once; every call frees a message left in it */
    char *json = NULL;
    char chip_dir[4096], csca[4096], esc[8192], options[16384];
    snprintf(chip_dir, sizeof chip_dir, "%s/chip", work);
    snprintf(csca, sizeof csca, "%s/csca.pem", pki);

    /* 1. issue: record + photo + the PKI folder's Document Signer -> a verified chip image folder */
    cccd_status rc = cccd_issue(record, photo, photo_len, pki, chip_dir, NULL, &json, &err);
    if (rc != CCCD_OK) return fail("issue", rc, &err);
    printf("issued %s (%zu bytes of JSON report)\n", chip_dir, strlen(json));
    cccd_string_free(json);

    /* 2. a blank virtual chip with its transport key, personalized through the callback */
    const uint8_t transport_key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                       0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
    cccd_virtual_chip *chip = NULL;
    rc = cccd_virtual_chip_new_blank(transport_key, &chip, &err);
    if (rc != CCCD_OK) return fail("virtual chip", rc, &err);
    rc = cccd_personalize(cccd_virtual_chip_transmit, chip, chip_dir,
                          "{\"transport_key\": \"00112233445566778899AABBCCDDEEFF\"}", &json, &err);
    if (rc != CCCD_OK) { cccd_string_free(json); return fail("personalize", rc, &err); }
    printf("personalized and locked: %s\n", strstr(json, "\"locked\": true") ? "yes" : "NO");
    cccd_string_free(json);

    /* 3. read it back through the callback with the CAN the image holds, and verify against the CSCA */
    char can_path[4200];
    size_t can_len = 0;
    snprintf(can_path, sizeof can_path, "%s/secrets/can", chip_dir);
    char *can = (char *)slurp(can_path, &can_len);
    if (!can) { fprintf(stderr, "no CAN in %s\n", can_path); return 1; }
    can[strcspn(can, "\r\n")] = 0;
    json_escape(csca, esc, sizeof esc);
    snprintf(options, sizeof options, "{\"can\": \"%s\", \"trust\": {\"csca\": [\"%s\"]}}", can, esc);
    memset(can, 0, can_len);
    free(can);
    rc = cccd_read(cccd_virtual_chip_transmit, chip, options, &json, &err);
    memset(options, 0, sizeof options); /* it held the CAN */
    if (rc != CCCD_OK) { if (json) puts(json); cccd_string_free(json); return fail("read", rc, &err); }
    printf("read back: %s\n", strstr(json, "\"value\": \"genuine\"") ? "genuine" : "NOT GENUINE");
    cccd_string_free(json);
    cccd_virtual_chip_free(chip);

    /* 4. the image folder verified as `cccd verify DIR --json` does */
    snprintf(options, sizeof options, "{\"csca\": [\"%s\"]}", esc);
    rc = cccd_verify_image(chip_dir, options, &json, &err);
    if (rc != CCCD_OK) { cccd_string_free(json); return fail("verify", rc, &err); }
    printf("image verified: genuine\n");
    cccd_string_free(json);

    /* 5. one bit of the face changed: the verdict is tampered, the code CCCD_NOT_GENUINE */
    char dg2_path[4200];
    size_t dg2_len = 0;
    snprintf(dg2_path, sizeof dg2_path, "%s/DG2.bin", chip_dir);
    unsigned char *dg2 = slurp(dg2_path, &dg2_len);
    if (!dg2 || dg2_len < 16) { fprintf(stderr, "no DG2 in %s\n", chip_dir); return 1; }
    dg2[dg2_len - 10] ^= 0x01;
    FILE *f = fopen(dg2_path, "wb");
    if (!f || fwrite(dg2, 1, dg2_len, f) != dg2_len) { fprintf(stderr, "cannot write %s\n", dg2_path); return 1; }
    fclose(f);
    free(dg2);
    rc = cccd_verify_image(chip_dir, options, &json, &err);
    int tampered = rc == CCCD_NOT_GENUINE && json && strstr(json, "\"value\": \"tampered\"");
    printf("tampered image: code %d (%s), %s\n", (int)rc, err.message ? err.message : "",
           tampered ? "refused as tampered" : "NOT REFUSED");
    cccd_string_free(json);
    cccd_error_free(&err);
    free(photo);
    free(record);
    return tampered ? 0 : 1;
}
