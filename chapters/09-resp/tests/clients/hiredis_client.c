/* Chapter 9's server with hiredis (Debian's libhiredis-dev): binary values, a pipeline, MGET,
 * INCR from several connections at once, SCAN to the end, and an error as REDIS_REPLY_ERROR.
 * Usage: ch09-hiredis-client PORT. Prints "ok hiredis"; exits 1 saying what failed. */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int port;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "hiredis client: line %d: %s\n", __LINE__, #cond);     \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

static redisContext* connect_to_server(void) {
  struct timeval timeout = {10, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeout);
  CHECK(c != NULL && c->err == 0);
  CHECK(redisSetTimeout(c, timeout) == REDIS_OK);
  return c;
}

/* Runs a command and checks the reply's type; returns it (the caller frees it). */
static redisReply* run(redisContext* c, int type, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  redisReply* reply = redisvCommand(c, format, ap);
  va_end(ap);
  CHECK(reply != NULL);
  if (reply->type != type) {
    fprintf(stderr, "hiredis client: %s: reply type %d, not %d (%s)\n", format, reply->type,
            type, reply->str ? reply->str : "");
    exit(1);
  }
  return reply;
}

static void* add_250(void* unused) {
  (void)unused;
  redisContext* c = connect_to_server();
  for (int i = 0; i < 250; i++) freeReplyObject(run(c, REDIS_REPLY_INTEGER, "INCR hi:counter"));
  redisFree(c);
  return NULL;
}

int main(int argc, char** argv) {
  CHECK(argc == 2);
  port = atoi(argv[1]);
  redisContext* c = connect_to_server();
  redisReply* r;

  char binary[256];
  for (int i = 0; i < 256; i++) binary[i] = (char)i;
  freeReplyObject(run(c, REDIS_REPLY_STATUS, "SET hi:bin %b", binary, sizeof binary));
  r = run(c, REDIS_REPLY_STRING, "GET hi:bin");
  CHECK(r->len == sizeof binary && memcmp(r->str, binary, sizeof binary) == 0);
  freeReplyObject(r);
  freeReplyObject(run(c, REDIS_REPLY_NIL, "GET hi:missing"));

  /* A pipeline: four requests sent at once, then four replies. */
  redisAppendCommand(c, "SET hi:a 1");
  redisAppendCommand(c, "SET hi:b 2");
  redisAppendCommand(c, "GET hi:a");
  redisAppendCommand(c, "INCR hi:a");
  const int types[] = {REDIS_REPLY_STATUS, REDIS_REPLY_STATUS, REDIS_REPLY_STRING,
                       REDIS_REPLY_INTEGER};
  for (int i = 0; i < 4; i++) {
    CHECK(redisGetReply(c, (void**)&r) == REDIS_OK && r->type == types[i]);
    if (i == 3) CHECK(r->integer == 2);
    freeReplyObject(r);
  }
  r = run(c, REDIS_REPLY_ARRAY, "MGET hi:a hi:nope hi:b");
  CHECK(r->elements == 3 && strcmp(r->element[0]->str, "2") == 0 &&
        r->element[1]->type == REDIS_REPLY_NIL && strcmp(r->element[2]->str, "2") == 0);
  freeReplyObject(r);

  /* INCR from several connections at once. */
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, add_250, NULL) == 0);
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  r = run(c, REDIS_REPLY_STRING, "GET hi:counter");
  CHECK(strcmp(r->str, "1000") == 0);
  freeReplyObject(r);

  /* SCAN to the end: every key once. */
  char seen[300] = {0};
  for (int i = 0; i < 300; i++) freeReplyObject(run(c, REDIS_REPLY_STATUS, "SET hi:scan:%d v", i));
  char cursor[32] = "0";
  int found = 0;
  do {
    r = run(c, REDIS_REPLY_ARRAY, "SCAN %s MATCH hi:scan:* COUNT 17", cursor);
    CHECK(r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING);
    CHECK(strlen(r->element[0]->str) < sizeof cursor);
    strcpy(cursor, r->element[0]->str);
    for (size_t i = 0; i < r->element[1]->elements; i++) {
      const int n = atoi(r->element[1]->element[i]->str + strlen("hi:scan:"));
      CHECK(n >= 0 && n < 300 && !seen[n]);
      seen[n] = 1;
      found++;
    }
    freeReplyObject(r);
  } while (strcmp(cursor, "0") != 0);
  CHECK(found == 300);

  /* An error is a reply of its own type; the connection goes on. */
  r = run(c, REDIS_REPLY_ERROR, "INCR hi:bin");
  CHECK(strcmp(r->str, "ERR value is not an integer or out of range") == 0);
  freeReplyObject(r);
  r = run(c, REDIS_REPLY_STATUS, "PING");
  CHECK(strcmp(r->str, "PONG") == 0);
  freeReplyObject(r);
  redisFree(c);
  printf("ok hiredis\n");
  return 0;
}
