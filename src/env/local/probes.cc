#include "env/local/probes.h"

#include <string>

#include "env/process/tcp_client.h"

namespace bakeoff {
namespace {

bool EndsWithLine(const std::string& s) {
  return s.size() >= 2 && s.compare(s.size() - 2, 2, "\r\n") == 0;
}

}  // namespace

Status ProbeRedis(int port, std::chrono::milliseconds timeout) {
  Result<TcpClient> c = TcpClient::Connect(port, timeout);
  if (!c.ok()) return c.status();
  BAKEOFF_RETURN_IF_ERROR(c->SendAll("PING\r\n", timeout));
  Result<std::string> reply = c->ReadUntil(EndsWithLine, timeout);
  if (!reply.ok()) return reply.status();
  // "-LOADING ..." while the dataset loads: not ready yet.
  if (reply->rfind("+PONG", 0) != 0) return Unavailable("redis answered PING with " + *reply);
  return Status::Ok();
}

Status ProbeNats(int port, bool jetstream, std::chrono::milliseconds timeout) {
  Result<TcpClient> c = TcpClient::Connect(port, timeout);
  if (!c.ok()) return c.status();
  Result<std::string> info = c->ReadUntil(EndsWithLine, timeout);
  if (!info.ok()) return info.status();
  if (info->rfind("INFO ", 0) != 0) return Unavailable("nats greeting was " + *info);
  std::string request = "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"bakeoff-health\"}\r\n";
  if (jetstream) request += "SUB _INBOX.bakeoff-health 1\r\nPUB $JS.API.INFO _INBOX.bakeoff-health 0\r\n\r\n";
  request += "PING\r\n";
  BAKEOFF_RETURN_IF_ERROR(c->SendAll(request, timeout));
  // One buffer for the whole exchange: the JetStream answer (MSG <subject> <sid> <bytes>\r\n<payload>\r\n)
  // may arrive before or after the PONG.
  auto complete_msg = [](const std::string& s) {
    const size_t m = s.find("MSG ");
    if (m == std::string::npos) return false;
    const size_t eol = s.find("\r\n", m);
    return eol != std::string::npos && s.find("\r\n", eol + 2) != std::string::npos;
  };
  Result<std::string> reply = c->ReadUntil(
      [&](const std::string& s) {
        if (s.find("-ERR") != std::string::npos) return true;
        const bool pong = s.find("PONG\r\n") != std::string::npos;
        return pong && (!jetstream || complete_msg(s));
      },
      timeout);
  if (!reply.ok()) {
    return Unavailable(std::string(jetstream ? "JetStream did not answer $JS.API.INFO: " : "no PONG: ") +
                       reply.status().message());
  }
  if (reply->find("-ERR") != std::string::npos) return Unavailable("nats: " + *reply);
  if (!jetstream) return Status::Ok();
  const size_t header = reply->find("MSG ");
  const size_t payload = reply->find("\r\n", header) + 2;
  const std::string body = reply->substr(payload, reply->find("\r\n", payload) - payload);
  // An answer carrying "error" (503 while no meta leader is elected) means "not yet".
  if (body.find("\"error\"") != std::string::npos) return Unavailable("JetStream not ready: " + body);
  return Status::Ok();
}

Status ProbeMqtt(int port, std::chrono::milliseconds timeout) {
  Result<TcpClient> c = TcpClient::Connect(port, timeout);
  if (!c.ok()) return c.status();
  const std::string client_id = "bakeoff-health";
  std::string variable = std::string("\x00\x04MQTT\x04\x02\x00\x3c", 10);  // MQTT 3.1.1, clean session, 60 s
  std::string payload;
  payload += static_cast<char>(client_id.size() >> 8);
  payload += static_cast<char>(client_id.size() & 0xff);
  payload += client_id;
  std::string packet;
  packet += '\x10';
  packet += static_cast<char>(variable.size() + payload.size());  // < 128: one length byte
  packet += variable + payload;
  BAKEOFF_RETURN_IF_ERROR(c->SendAll(packet, timeout));
  Result<std::string> ack = c->ReadUntil([](const std::string& s) { return s.size() >= 4; }, timeout);
  if (!ack.ok()) return ack.status();
  if ((*ack)[0] != '\x20' || (*ack)[3] != '\x00') {
    return Unavailable("mqtt: CONNACK refused (return code " + std::to_string(static_cast<int>((*ack)[3])) +
                       ")");
  }
  (void)c->SendAll(std::string("\xe0\x00", 2), timeout);  // DISCONNECT
  return Status::Ok();
}

Status ProbeKinesis(int port, std::chrono::milliseconds timeout) {
  Result<TcpClient> c = TcpClient::Connect(port, timeout);
  if (!c.ok()) return c.status();
  const std::string body = "{}";
  // kinesalite checks that a SigV4-shaped Authorization header is present, not its signature.
  const std::string request =
      "POST / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
      "\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
      "X-Amz-Date: 20200101T000000Z\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=bakeoff/20200101/us-east-1/kinesis/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=0\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  BAKEOFF_RETURN_IF_ERROR(c->SendAll(request, timeout));
  Result<std::string> reply =
      c->ReadUntil([](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; }, timeout);
  if (!reply.ok()) return reply.status();
  if (reply->rfind("HTTP/1.1 200", 0) != 0)
    return Unavailable("kinesis ListStreams: " + reply->substr(0, 200));
  return Status::Ok();
}

}  // namespace bakeoff
