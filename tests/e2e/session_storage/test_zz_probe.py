import base64, string
from conftest import make_tenant

P = "/session-storage"
ALPH = string.ascii_letters + string.digits + "-_"

async def test_probe(client, services, clock, tenant):
    h = tenant.headers
    for body in [b'{"data": {"intent": "a\\u0000b"}}', b'{"data": {"intent": "a\\ud800b"}}', b'{"data": {"intent": ""}}']:
        r = await client.post(P + "/session", headers={**h, "Content-Type": "application/json"}, content=body)
        print(body, r.status_code, r.text[:300])
    for _ in range(3):
        clock.advance(1)
        await client.post(P + "/session", headers=h)
    r = await client.get(P + "/sessions?page_size=1", headers=h)
    tok = r.json()["next_page_token"]
    print("token", tok, len(tok))
    accepted = []
    for i, c in enumerate(tok):
        for a in ALPH + "+/=.!":
            if a == c: continue
            t = tok[:i] + a + tok[i+1:]
            r = await client.get(P + "/sessions", params={"page_size": 1, "page_token": t}, headers=h)
            if r.status_code != 400:
                accepted.append((i, c, a, r.status_code))
    print("accepted mutations", accepted)
    for t in [tok + "=", tok + "==", tok + ".", "." + tok, tok[:10] + "\n" + tok[10:], tok[:-1]]:
        r = await client.get(P + "/sessions", params={"page_size": 1, "page_token": t}, headers=h)
        print(repr(t[-5:]), r.status_code)
