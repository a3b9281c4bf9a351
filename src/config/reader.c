/* reader.c - reading the INI text: the line reader that feeds libinih,
** the handlers of [section] headers and key = value pairs, and the
** messages that name file:line.
**
** The file is parsed by libinih, fed through our own line reader. The
** reader exists for three reasons:
**   - inih does not pass line numbers to the handler (INI_HANDLER_LINENO is
**     0 in the Debian build), and every message must name file:line;
**   - inih reports only the first syntax error, and we report them all: the
**     reader classifies each line itself and hands inih a blank line in
**     place of a bad one;
**   - inih silently splits lines longer than its 200-byte buffer and
**     truncates keys at 50 bytes; the reader keeps the whole key, and
**     handles over-long lines (long absolute paths) itself.
** The reader also strips leading white space, which turns off inih's
** "indented line continues the previous value" rule: an indented
** `key = value` is an ordinary key, never a silent continuation.
*/
#include "config/config_internal.h"

#include <ctype.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values are quoted in messages up to this length. */
#define MAX_QUOTED 120

/* ---- Messages ------------------------------------------------------------ */

/* Adds "file:line: <message>" to the diagnostics. */
void
rq_cfg_errl(parser *p, int line, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (line > 0)
        rq_diag_add(p->diag, "%s:%d: %s", p->file, line, buf);
    else
        rq_diag_add(p->diag, "%s: %s", p->file, buf);
}

/* How many bytes of s to quote, at most max, without cutting a UTF-8
** character in two (names such as "Incubateur régional" are common). */
int
rq_cfg_clip(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

/* "file:line: [sec] key = 'value': why; expected form". */
void
rq_cfg_bad_value(parser *p, int line, int sec, const char *key, const char *value, const char *why,
                 const char *form)
{
    int n = rq_cfg_clip(value, MAX_QUOTED);
    rq_cfg_errl(p, line, "[%s] %s = '%.*s%s': %s%sexpected %s", rq_cfg_sections[sec].name, key, n,
                value, value[n] ? "..." : "", why ? why : "", why ? "; " : "", form);
}

/* ---- Key = value pairs --------------------------------------------------- */

static void
unknown_key(parser *p, int line, int sec, const char *key)
{
    const section *S = &rq_cfg_sections[sec];
    const char *names[MAX_KEYS];
    for (size_t i = 0; i < S->n_keys; i++)
        names[i] = S->keys[i].name;
    int h = rq_cfg_nearest(key, names, S->n_keys);
    if (h >= 0) {
        rq_cfg_errl(p, line, "unknown key '%s' in [%s] (did you mean '%s'?)", key, S->name,
                    names[h]);
        return;
    }
    int other = rq_cfg_section_of_key(sec, key);
    if (other >= 0) {
        rq_cfg_errl(p, line, "unknown key '%s' in [%s] (it belongs in [%s])", key, S->name,
                    rq_cfg_sections[other].name);
        return;
    }
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < S->n_keys && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    rq_cfg_errl(p, line, "unknown key '%s' in [%s] (valid keys: %s)", key, S->name, list);
}

static void
on_pair(parser *p, const char *key, const char *value)
{
    int line = p->lineno;
    int sec = p->sec;

    if (sec == SEC_UNKNOWN)
        return; /* the header was reported; its keys would only add noise */
    if (sec == SEC_NONE) {
        int other = rq_cfg_section_of_key(-1, key);
        if (other >= 0)
            rq_cfg_errl(p, line, "key '%s' comes before any [section] (it belongs in [%s])", key,
                        rq_cfg_sections[other].name);
        else
            rq_cfg_errl(p, line, "key '%s' comes before any [section]", key);
        return;
    }
    if (sec == S_CATEGORIES) {
        rq_cfg_convert_category(p, line, key, value);
        return;
    }
    int ki = rq_cfg_find_key(sec, key);
    if (ki < 0) {
        unknown_key(p, line, sec, key);
        return;
    }
    if (p->state[sec][ki] != ST_UNSEEN) {
        rq_cfg_errl(p, line, "duplicate key '%s' in [%s] (first given at line %d)", key,
                    rq_cfg_sections[sec].name, p->key_line[sec][ki]);
        return;
    }
    p->key_line[sec][ki] = line;
    if (!*value)
        p->state[sec][ki] = ST_EMPTY; /* empty means unset: the default applies */
    else
        p->state[sec][ki] =
            rq_cfg_convert(p, line, sec, &rq_cfg_sections[sec].keys[ki], value) ? ST_OK : ST_BAD;
}

/* inih handler. section and name are ignored: the reader tracked both
** without inih's truncation (50 bytes). */
static int
ini_handler_cb(void *user, const char *section_name, const char *name, const char *value)
{
    parser *p = user;
    (void)section_name;
    (void)name;
    on_pair(p, p->key, value);
    return 1; /* errors are collected, never stop inih */
}

/* ---- Line reader ----------------------------------------------------------- */

/* Mirrors inih: the first of chars, or an inline ';' comment (a ';' after
** white space), or the end of s. */
static char *
find_chars_or_comment(char *s, const char *chars)
{
    int was_space = 0;
    while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* A [section] line: updates p->sec. Returns 1 when the line is well formed. */
static int
on_header(parser *p)
{
    char *l = p->line;
    char *close = find_chars_or_comment(l + 1, "]");
    if (*close != ']') {
        rq_cfg_errl(p, p->lineno, "section header '%.*s' lacks its closing ']'", rq_cfg_clip(l, 60),
                    l);
        p->sec = SEC_UNKNOWN;
        return 0;
    }
    *close = '\0';
    char *rest = close + 1;
    while (isspace((unsigned char)*rest))
        rest++;
    char *name = rq_strtrim(l + 1);
    int sec = rq_cfg_find_section(name);
    if (!*name) {
        rq_cfg_errl(p, p->lineno, "empty section name []");
        p->sec = SEC_UNKNOWN;
    } else if (sec < 0) {
        const char *names[NSEC];
        for (int i = 0; i < NSEC; i++)
            names[i] = rq_cfg_sections[i].name;
        int h = rq_cfg_nearest(name, names, NSEC);
        if (h >= 0) {
            rq_cfg_errl(p, p->lineno, "unknown section [%s] (did you mean [%s]?)", name, names[h]);
        } else {
            char list[256];
            size_t len = 0;
            list[0] = '\0';
            for (int i = 0; i < NSEC && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s[%s]", i ? " " : "",
                                        names[i]);
            rq_cfg_errl(p, p->lineno, "unknown section [%s] (sections: %s)", name, list);
        }
        p->sec = SEC_UNKNOWN;
    } else {
        p->sec = sec;
        if (!p->sec_line[sec])
            p->sec_line[sec] = p->lineno;
    }
    /* inih ignores text after ']'; "[study] name = x" would silently lose
    ** the key. */
    if (*rest && *rest != ';' && *rest != '#') {
        rq_cfg_errl(p, p->lineno, "unexpected text '%.*s' after [%s]: put each key on its own line",
                    rq_cfg_clip(rest, 60), rest, name);
        return 0;
    }
    return 1;
}

/* ini_reader: hands inih one physical line per call, so that p->lineno is
** the line of the pair the handler receives. */
static char *
read_line(char *buf, int num, void *stream)
{
    parser *p = stream;
    if (p->pos >= p->end)
        return NULL;

    const char *s = p->pos;
    const char *nl = memchr(s, '\n', (size_t)(p->end - s));
    size_t len = (size_t)((nl ? nl : p->end) - s);
    p->pos = nl ? nl + 1 : p->end;
    p->lineno++;
    free(p->key);
    p->key = NULL;

    const char *give = ""; /* what inih gets: blank unless a valid pair */
    if (len && s[len - 1] == '\r')
        len--;
    if (p->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3; /* UTF-8 byte order mark */
        len -= 3;
    }
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (memchr(s, '\0', len)) {
        rq_cfg_errl(p, p->lineno, "contains a NUL byte: is this a text file?");
        goto emit;
    }
    rq_grow((void **)&p->line, &p->line_cap, len + 1, 1);
    memcpy(p->line, s, len);
    p->line[len] = '\0';
    char *l = p->line;

    if (!*l || *l == ';' || *l == '#')
        goto emit;
    if (*l == '[') {
        /* The handler uses p->sec, so inih needs no section line. */
        on_header(p);
        goto emit;
    }
    char *sep = find_chars_or_comment(l, "=:");
    if (*sep != '=' && *sep != ':') {
        rq_cfg_errl(p, p->lineno, "'%.*s' is not 'key = value', a [section] header or a comment",
                    rq_cfg_clip(l, 60), l);
        goto emit;
    }
    p->key = rq_xstrdup(l);
    p->key[sep - l] = '\0';
    rq_strtrim(p->key);
    if (!*p->key) {
        rq_cfg_errl(p, p->lineno, "'%.*s' has no key before '%c'", rq_cfg_clip(l, 60), l, *sep);
        goto emit;
    }
    if (len + 2 <= (size_t)num) {
        give = l;
        goto emit;
    }
    /* Too long for inih's buffer: split the value as inih would (inline
    ** comment, trimming) and handle the pair here. */
    {
        char *value = sep + 1;
        char *c = value;
        int was_space = 0;
        while (*c && !(was_space && *c == ';')) {
            was_space = isspace((unsigned char)*c);
            c++;
        }
        *c = '\0';
        on_pair(p, p->key, rq_strtrim(value));
    }

emit:
    snprintf(buf, (size_t)num, "%s\n", give);
    return buf;
}

/* The reader and the handler share p: inih calls read_line for each line,
** then ini_handler_cb for the pair of that line, if any. */
int
rq_cfg_read(parser *p)
{
    return ini_parse_stream(read_line, p, ini_handler_cb, p);
}
