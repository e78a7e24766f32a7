"""The test SMTP server is real: Django's SMTP backend talks to it over TCP, and a message
arrives parsed, with its headers and both bodies."""

from django.core import mail


def test_a_message_sent_through_django_arrives_at_the_server(smtp_server):
    message = mail.EmailMultiAlternatives("Hello", "plain body ünïcode", "from@example.test",
                                          ["to@example.test"])
    message.attach_alternative("<p>html body</p>", "text/html")
    assert message.send() == 1
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["to@example.test"]
    assert received.subject == "Hello"
    assert "plain body ünïcode" in received.text()
    assert "<p>html body</p>" in received.html()
    assert not getattr(mail, "outbox", [])  # not the in-memory backend


def test_nothing_arrives_when_nothing_is_sent(smtp_server):
    assert smtp_server.messages == []
