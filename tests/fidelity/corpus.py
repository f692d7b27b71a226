# ruff: noqa: E501  (real-world commands are long lines, kept as published)
"""Real-world curl commands: API docs samples, browsers' "Copy as cURL", and the
shapes people type (multipart with files, -u, -b, --data-urlencode with @file,
-G, --json, -T, $'...' quoting, combined short flags).

Each is written as published, against its real host; the tests point every
``http(s)://host`` at the local recording server.  Files named with ``@`` are
the fixtures of ``FILES``, written to the directory the commands run in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the files the commands read (relative to where they run)
FILES: dict[str, bytes] = {
    "avatar.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(40)),
    "report.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "invoice.json": b'{\n  "customer": "cus_123",\n  "items": [1, 2, 3]\n}\n',
    "notes.txt": b"first line\r\nsecond line\r\nthird & last = done\n",
    "query.txt": b"caf\xc3\xa9 & cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e?\n",
    "data.bin": bytes(range(256)) * 4,
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64,
    "archive.tar.gz": b"\x1f\x8b\x08\x00" + b"\x00" * 60,
    "message.txt": "Hëllo from a file, with ünïcode.\n".encode(),
}


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    command: str
    #: "bash" (run by bash) or "cmd" (Windows cmd: curl is run with the words
    #: cmd.exe and the C runtime would hand it, as Courier's reader splits them)
    flavour: str = "bash"
    #: shell variables the command uses, and their values for the run
    env: dict[str, str] = field(default_factory=dict)
    #: headers documented to differ for this command, with why
    differs: dict[str, str] = field(default_factory=dict)


CORPUS: tuple[Entry, ...] = (
    # ---- Stripe (docs samples: -u key:, repeated -d, bracketed keys, -G)
    Entry(
        "stripe-create-charge",
        """curl https://api.stripe.com/v1/charges \\
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\
  -d amount=2000 \\
  -d currency=usd \\
  -d source=tok_visa \\
  -d description="My First Test Charge (created for API docs)"
""",
    ),
    Entry(
        "stripe-customer-metadata",
        """curl https://api.stripe.com/v1/customers \\
  -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" \\
  -d "metadata[order_id]"=6735 \\
  -d email="jenny.rosen@example.com" \\
  -d "expand[]"=sources
""",
    ),
    Entry(
        "stripe-list-customers-G",
        """curl -G https://api.stripe.com/v1/customers \\
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\
  -d limit=3 \\
  -d "created[gte]"=1609459200""",
    ),
    Entry(
        "stripe-search-urlencode",
        """curl https://api.stripe.com/v1/customers/search \\
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\
  --data-urlencode query="email:'jenny.rosen@example.com'" \\
  -G""",
    ),
    Entry(
        "stripe-delete",
        "curl -X DELETE https://api.stripe.com/v1/customers/cus_NffrFeUfNV2Hib "
        "-u sk_test_4eC39HqLyjWDarjtT1zdp7dc:",
    ),
    Entry(
        "stripe-file-upload",
        """curl https://files.stripe.com/v1/files \\
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\
  -F purpose=dispute_evidence \\
  -F file="@report.pdf"
""",
    ),
    # ---- GitHub REST (Bearer from the environment, Accept, -L, -X PATCH, -d JSON)
    Entry(
        "github-get-repo",
        """curl -L \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer $GITHUB_TOKEN" \\
  -H "X-GitHub-Api-Version: 2022-11-28" \\
  https://api.github.com/repos/OWNER/REPO""",
        env={"GITHUB_TOKEN": "ghp_16C7e42F292c6912E7710c838347Ae178B4a"},
    ),
    Entry(
        "github-create-issue",
        """curl -L \\
  -X POST \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer <YOUR-TOKEN>" \\
  -H "X-GitHub-Api-Version: 2022-11-28" \\
  https://api.github.com/repos/OWNER/REPO/issues \\
  -d '{"title":"Found a bug","body":"I'"'"'m having a problem with this.","assignees":["octocat"],"milestone":1,"labels":["bug"]}'""",
    ),
    Entry(
        "github-update-issue-patch",
        """curl -L \\
  -X PATCH \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer $GITHUB_TOKEN" \\
  https://api.github.com/repos/OWNER/REPO/issues/ISSUE_NUMBER \\
  -d '{"state":"closed","state_reason":"completed"}'""",
        env={"GITHUB_TOKEN": "ghp_abc"},
    ),
    Entry(
        "github-list-issues-query",
        "curl -sS -H 'Accept: application/vnd.github+json' "
        "'https://api.github.com/repos/octocat/hello-world/issues?state=open&per_page=100&page=2'",
    ),
    Entry(
        "github-basic-auth",
        "curl -u octocat:ghp_secretPAT https://api.github.com/user",
    ),
    Entry(
        "github-graphql",
        """curl -H "Authorization: bearer $TOKEN" -X POST -d " \\
 { \\
   \\"query\\": \\"query { viewer { login }}\\" \\
 } \\
" https://api.github.com/graphql""",
        env={"TOKEN": "gho_token"},
    ),
    Entry(
        "github-upload-release-asset",
        """curl -L \\
  -X POST \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer <YOUR-TOKEN>" \\
  -H "Content-Type: application/octet-stream" \\
  "https://uploads.github.com/repos/OWNER/REPO/releases/RELEASE_ID/assets?name=example.zip" \\
  --data-binary "@archive.tar.gz\"""",
    ),
    # ---- Slack (form posts with a token, JSON with a Bearer header, files)
    Entry(
        "slack-chat-post-json",
        """curl -X POST -H 'Authorization: Bearer xoxb-1234-56789-abcdefghijklmnop' \\
-H 'Content-type: application/json' \\
--data '{"channel":"C123ABC456","text":"I hope the tour went well, Mr. Wonka.","attachments":[{"text":"Who wins the lifetime supply of chocolate?","fallback":"You could be telling the computer exactly what it can do with a lifetime supply of chocolate.","color":"#3AA3E3","attachment_type":"default","callback_id":"select_simple_1234"}]}' \\
https://slack.com/api/chat.postMessage""",
    ),
    Entry(
        "slack-form-token",
        "curl -X POST https://slack.com/api/conversations.list "
        "-d 'token=xoxb-not-a-real-token&types=public_channel,private_channel&limit=50'",
    ),
    Entry(
        "slack-webhook",
        """curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello, World!"}' https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX""",
    ),
    Entry(
        "slack-files-upload",
        """curl -F file=@message.txt -F "initial_comment=Shakes the cat" -F channels=C024BE91L,D032AC32T -H "Authorization: Bearer xoxp-xxxxxxxxx-xxxx" https://slack.com/api/files.upload""",
    ),
    Entry(
        "slack-urlencoded-text",
        """curl -s -X POST https://slack.com/api/chat.postMessage \\
  -H "Authorization: Bearer $SLACK_BOT_TOKEN" \\
  --data-urlencode "channel=#general" \\
  --data-urlencode "text=Deploy finished: 100% done & green ✅\"""",
        env={"SLACK_BOT_TOKEN": "xoxb-42"},
    ),
    # ---- OpenAI (Bearer from the environment, JSON bodies, multipart audio/files)
    Entry(
        "openai-chat-completions",
        """curl https://api.openai.com/v1/chat/completions \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer $OPENAI_API_KEY" \\
  -d '{
    "model": "gpt-4o",
    "messages": [
      {
        "role": "system",
        "content": "You are a helpful assistant."
      },
      {
        "role": "user",
        "content": "Hello!"
      }
    ]
  }'""",
        env={"OPENAI_API_KEY": "sk-proj-abc123"},
    ),
    Entry(
        "openai-embeddings",
        """curl https://api.openai.com/v1/embeddings \\
  -H "Authorization: Bearer $OPENAI_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "input": "The food was delicious and the waiter...",
    "model": "text-embedding-3-small",
    "encoding_format": "float"
  }'""",
        env={"OPENAI_API_KEY": "sk-proj-abc123"},
    ),
    Entry(
        "openai-transcriptions-multipart",
        """curl https://api.openai.com/v1/audio/transcriptions \\
  -H "Authorization: Bearer $OPENAI_API_KEY" \\
  -H "Content-Type: multipart/form-data" \\
  -F file="@photo.jpg" \\
  -F model="whisper-1\"""",
        env={"OPENAI_API_KEY": "sk-proj-abc123"},
    ),
    Entry(
        "openai-files-purpose",
        """curl https://api.openai.com/v1/files \\
  -H "Authorization: Bearer $OPENAI_API_KEY" \\
  -F purpose="fine-tune" \\
  -F file="@invoice.json\"""",
        env={"OPENAI_API_KEY": "sk-proj-abc123"},
    ),
    Entry(
        "openai-list-models",
        'curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY" '
        '-H "OpenAI-Organization: $ORGANIZATION_ID"',
        env={"OPENAI_API_KEY": "sk-proj-abc123", "ORGANIZATION_ID": "org-42"},
    ),
    Entry(
        "anthropic-messages",
        """curl https://api.anthropic.com/v1/messages \\
     --header "x-api-key: $ANTHROPIC_API_KEY" \\
     --header "anthropic-version: 2023-06-01" \\
     --header "content-type: application/json" \\
     --data \\
'{
    "model": "claude-3-5-sonnet-20241022",
    "max_tokens": 1024,
    "messages": [
        {"role": "user", "content": "Hello, world"}
    ]
}'""",
        env={"ANTHROPIC_API_KEY": "sk-ant-xyz"},
    ),
    # ---- Twilio (-u SID:token, --data-urlencode, -X GET with -G style queries)
    Entry(
        "twilio-send-sms",
        """curl -X POST "https://api.twilio.com/2010-04-01/Accounts/$TWILIO_ACCOUNT_SID/Messages.json" \\
--data-urlencode "Body=Hi there" \\
--data-urlencode "From=+15557122661" \\
--data-urlencode "To=+15558675310" \\
-u $TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN""",
        env={"TWILIO_ACCOUNT_SID": "ACXXXXXXXXXXXXXXXX", "TWILIO_AUTH_TOKEN": "your_auth_token"},
    ),
    Entry(
        "twilio-list-messages",
        """curl -X GET "https://api.twilio.com/2010-04-01/Accounts/ACXXXX/Messages.json?PageSize=20" \\
-u ACXXXX:your_auth_token""",
    ),
    Entry(
        "twilio-status-callback",
        """curl -X POST https://api.twilio.com/2010-04-01/Accounts/ACXXXX/Calls.json \\
--data-urlencode "Url=http://demo.twilio.com/docs/voice.xml?x=1&y=2" \\
--data-urlencode "StatusCallbackEvent=initiated" \\
--data-urlencode "StatusCallbackEvent=ringing" \\
-u 'ACXXXX:tok'""",
    ),
    # ---- other docs samples
    Entry(
        "sendgrid-mail-send",
        """curl --request POST \\
  --url https://api.sendgrid.com/v3/mail/send \\
  --header "Authorization: Bearer $SENDGRID_API_KEY" \\
  --header 'Content-Type: application/json' \\
  --data '{"personalizations": [{"to": [{"email": "test@example.com"}]}],"from": {"email": "test@example.com"},"subject": "Sending with SendGrid is Fun","content": [{"type": "text/plain", "value": "and easy to do anywhere, even with cURL"}]}'""",
        env={"SENDGRID_API_KEY": "SG.xxx"},
    ),
    Entry(
        "mailgun-messages-form",
        """curl -s --user 'api:YOUR_API_KEY' \\
    https://api.mailgun.net/v3/YOUR_DOMAIN_NAME/messages \\
    -F from='Excited User <mailgun@YOUR_DOMAIN_NAME>' \\
    -F to=YOU@YOUR_DOMAIN_NAME \\
    -F to=bar@example.com \\
    -F subject='Hello' \\
    -F text='Testing some Mailgun awesomeness!' \\
    -F attachment=@notes.txt""",
    ),
    Entry(
        "shopify-graphql-json",
        """curl -X POST \\
  https://your-development-store.myshopify.com/admin/api/2024-10/graphql.json \\
  -H 'Content-Type: application/json' \\
  -H 'X-Shopify-Access-Token: {password}' \\
  -d '{
"query": "{ shop { name } }"
}'""",
    ),
    Entry(
        "notion-query-database",
        """curl -X POST 'https://api.notion.com/v1/databases/897e5a76ae524b489fdfe71f5945d1af/query' \\
  -H 'Authorization: Bearer '"$NOTION_API_KEY"'' \\
  -H 'Notion-Version: 2022-06-28' \\
  -H "Content-Type: application/json" \\
--data '{
  "filter": {
    "property": "Landmark",
    "rich_text": {
      "contains": "Bridge"
    }
  }
}'""",
        env={"NOTION_API_KEY": "secret_abc"},
    ),
    Entry(
        "discord-webhook-json",
        """curl -H "Content-Type: application/json" -X POST -d '{"username": "test", "content": "hello"}' https://discord.com/api/webhooks/123/abc""",
    ),
    Entry(
        "cloudflare-dns-record",
        """curl https://api.cloudflare.com/client/v4/zones/$ZONE_ID/dns_records \\
    -H 'Content-Type: application/json' \\
    -H "X-Auth-Email: $CLOUDFLARE_EMAIL" \\
    -H "X-Auth-Key: $CLOUDFLARE_API_KEY" \\
    -d '{
      "comment": "Domain verification record",
      "content": "198.51.100.4",
      "name": "example.com",
      "proxied": true,
      "ttl": 3600,
      "type": "A"
    }'""",
        env={
            "ZONE_ID": "023e105f4ecef8ad9ca31a8372d0c353",
            "CLOUDFLARE_EMAIL": "a@b.c",
            "CLOUDFLARE_API_KEY": "k",
        },
    ),
    Entry(
        "digitalocean-droplets",
        """curl -X GET \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer $DIGITALOCEAN_TOKEN" \\
  "https://api.digitalocean.com/v2/droplets?page=1&per_page=1\"""",
        env={"DIGITALOCEAN_TOKEN": "dop_v1_abc"},
    ),
    Entry(
        "elasticsearch-search",
        """curl -X GET "localhost:9200/my-index-000001/_search?pretty" -H 'Content-Type: application/json' -d'
{
  "query": {
    "match": {
      "user.id": "kimchy"
    }
  }
}
'""",
    ),
    Entry(
        "elasticsearch-bulk-binary",
        """curl -s -H "Content-Type: application/x-ndjson" -XPOST "localhost:9200/_bulk" --data-binary "@invoice.json\"""",
    ),
    Entry(
        "kubernetes-api-bearer-insecure",
        """curl -k -H "Authorization: Bearer $TOKEN" https://10.0.0.1:6443/api/v1/namespaces/default/pods""",
        env={"TOKEN": "eyJhbGciOiJSUzI1NiJ9.abc"},
    ),
    Entry(
        "jira-create-issue-basic",
        """curl -D- \\
   -u fred@example.com:freds_api_token \\
   -X POST \\
   --data '{"fields":{"project":{"key": "TEST"},"summary": "REST ye merry gentlemen.","description": "Creating of an issue using project keys and issue type names using the REST API","issuetype": {"name": "Bug"}}}' \\
   -H "Content-Type: application/json" \\
   https://your-domain.atlassian.net/rest/api/2/issue/""",
    ),
    Entry(
        "airtable-list-records",
        """curl "https://api.airtable.com/v0/appXXXX/Table%201?maxRecords=3&view=Grid%20view" \\
  -H "Authorization: Bearer YOUR_SECRET_API_TOKEN\"""",
    ),
    Entry(
        "algolia-search",
        """curl -X POST \\
     -H "X-Algolia-API-Key: ${API_KEY}" \\
     -H "X-Algolia-Application-Id: ${APPLICATION_ID}" \\
     --data-binary '{ "params": "query=george%20clo&hitsPerPage=2&getRankingInfo=1" }' \\
     "https://${APPLICATION_ID}-dsn.algolia.net/1/indexes/imdb/query\"""",
        env={"API_KEY": "k", "APPLICATION_ID": "latency"},
    ),
    Entry(
        "mapbox-geocoding",
        """curl "https://api.mapbox.com/geocoding/v5/mapbox.places/Los%20Angeles.json?access_token=pk.abc&limit=1\"""",
    ),
    Entry(
        "docker-registry-head",
        """curl -I -H "Accept: application/vnd.docker.distribution.manifest.v2+json" https://registry-1.docker.io/v2/library/ubuntu/manifests/latest""",
    ),
    Entry(
        "httpbin-put-upload",
        "curl -T report.pdf https://httpbin.org/put/",
        differs={
            "content-type": "curl -T sends no Content-Type; Courier names the file's type",
            "expect": "curl -T asks Expect: 100-continue; Courier sends the body straight away",
        },
    ),
    Entry(
        "s3-presigned-put",
        """curl -X PUT -T "avatar.png" -H "Content-Type: image/png" "https://bucket.s3.amazonaws.com/avatar.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600\"""",
        differs={
            "expect": "curl -T asks Expect: 100-continue; Courier sends the body straight away"
        },
    ),
    # ---- --json (curl 7.82+)
    Entry(
        "json-flag",
        """curl --json '{"tool": "curl", "version": 7}' https://example.com/api/things""",
    ),
    Entry(
        "json-flag-repeated-and-file",
        """curl --json '{"a":' --json ' 1}' https://example.com/api/things""",
    ),
    Entry(
        "json-flag-accept-overridden",
        """curl --json @invoice.json -H "Accept: application/vnd.api+json" https://example.com/api/invoices""",
    ),
    # ---- -d file handling and --data-urlencode forms
    Entry("data-at-file-strips-newlines", "curl -d @notes.txt https://example.com/notes"),
    Entry("data-binary-at-file-exact", "curl --data-binary @notes.txt https://example.com/notes"),
    Entry(
        "data-urlencode-all-forms",
        """curl https://example.com/form \\
  --data-urlencode "plain text & more" \\
  --data-urlencode "=leading=equals" \\
  --data-urlencode "name=J. Doe/Ünïcode" \\
  --data-urlencode "q@query.txt" \\
  --data-urlencode "@message.txt\"""",
    ),
    Entry(
        "data-raw-at-is-literal",
        "curl --data-raw '@notes.txt' --data-ascii 'x=1' https://example.com/raw",
    ),
    Entry(
        "get-with-query-and-urlencode",
        """curl -G 'https://example.com/search?lang=en' --data-urlencode 'q=rock & roll' -d page=2""",
    ),
    Entry(
        "get-head-combined",
        "curl -G -I https://example.com/status -d verbose=1",
    ),
    # ---- headers, cookies, agent, referer
    Entry(
        "cookies-repeated",
        """curl -b 'session=abc123; theme=dark' -b lang=en https://example.com/account""",
    ),
    Entry(
        "agent-and-referer",
        """curl -A 'Mozilla/5.0 (X11; Linux x86_64) Custom/1.0' -e 'https://example.com/from' https://example.com/to""",
    ),
    Entry(
        "empty-header-and-custom",
        """curl -H 'X-Empty;' -H 'X-Request-Id: 7f3c' -H 'X-Spaces:    padded value' https://example.com/h""",
    ),
    Entry(
        "remove-content-type",
        """curl -H 'Content-Type:' -d 'raw body without type' https://example.com/notype""",
    ),
    Entry(
        "oauth2-bearer-flag",
        "curl --oauth2-bearer mF_9.B5f-4.1JqM https://example.com/resource",
    ),
    Entry(
        "digest-auth",
        "curl --digest -u Mufasa:'Circle Of Life' https://example.com/dir/index.html",
    ),
    Entry(
        "basic-auth-header-typed",
        """curl -H 'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' https://example.com/basic""",
    ),
    # ---- quoting and flag shapes
    Entry(
        "ansi-c-quoting",
        """curl $'https://example.com/ansi' -H $'X-Tab: a\\tb' --data-raw $'line one\\nline two\\x21 \\'quoted\\' \\u00e9'""",
    ),
    Entry(
        "combined-short-flags",
        "curl -sSLkX PUT -H'Content-Type: text/plain' -d'hello' https://example.com/combined",
    ),
    Entry(
        "url-option-and-request",
        "curl --request PATCH --url 'https://example.com/items/42?fields=name' --header 'content-type: application/merge-patch+json' --data '{\"name\": \"new\"}'",
    ),
    Entry(
        "form-types-and-filenames",
        """curl -F 'meta={"k": 1};type=application/json' -F 'doc=@report.pdf;filename=Q3 report.pdf' -F 'pic=@photo.jpg;type=image/x-custom' -F 'note=<message.txt' --form-string 'raw=@not-a-file;type=x' https://example.com/upload""",
    ),
    Entry(
        "form-binary-file",
        "curl -F 'blob=@data.bin' -F 'archive=@archive.tar.gz' -F 'inline=hello;filename=hi.txt' https://example.com/bin",
    ),
    Entry(
        "comments-and-pipe",
        """# list the things, pretty-printed
curl -s 'https://example.com/things?sort=-created' \\
  -H 'Accept: application/json' | python3 -m json.tool""",
    ),
    Entry(
        "prompt-prefix-and-output",
        "$ curl -o out.json -w '%{http_code}' --compressed https://example.com/download?id=9",
    ),
    # ---- browsers' Copy as cURL (bash)
    Entry(
        "chrome-copy-bash-get",
        """curl 'https://www.example.com/api/v2/feed?cursor=abc%3D%3D&limit=20' \\
  -H 'accept: application/json, text/plain, */*' \\
  -H 'accept-language: en-US,en;q=0.9,fr;q=0.8' \\
  -H 'cache-control: no-cache' \\
  -b 'csrftoken=Xy7; sessionid=abc123def; _ga=GA1.2.1234.5678' \\
  -H 'pragma: no-cache' \\
  -H 'referer: https://www.example.com/feed' \\
  -H 'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"' \\
  -H 'sec-ch-ua-mobile: ?0' \\
  -H 'sec-ch-ua-platform: "Linux"' \\
  -H 'sec-fetch-dest: empty' \\
  -H 'sec-fetch-mode: cors' \\
  -H 'sec-fetch-site: same-origin' \\
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36' \\
  -H 'x-requested-with: XMLHttpRequest'""",
    ),
    Entry(
        "chrome-copy-bash-post-json",
        """curl 'https://www.example.com/graphql' \\
  -H 'accept: */*' \\
  -H 'content-type: application/json' \\
  -H 'origin: https://www.example.com' \\
  -H 'user-agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36' \\
  --data-raw $'{"operationName":"Search","variables":{"q":"it\\'s here","n":10},"query":"query Search($q: String!) { search(q: $q) { id } }"}'""",
    ),
    Entry(
        "chrome-copy-bash-form",
        """curl 'https://www.example.com/login' \\
  -H 'content-type: application/x-www-form-urlencoded' \\
  -H 'origin: https://www.example.com' \\
  --data-raw 'username=jdoe&password=p%40ss%26word&remember=on'""",
    ),
    Entry(
        "firefox-copy-bash",
        """curl 'https://www.example.com/api/items' -X POST -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' -H 'Accept: application/json' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br' -H 'Content-Type: application/json' -H 'Origin: https://www.example.com' -H 'DNT: 1' -H 'Connection: keep-alive' -H 'Cookie: a=1; b=2' -H 'Sec-Fetch-Dest: empty' -H 'TE: trailers' --data-raw '{"name":"widget","tags":["a","b"]}'""",
    ),
    # ---- browsers' Copy as cURL (Windows cmd)
    Entry(
        "chrome-copy-cmd-get",
        """curl ^"https://www.example.com/api/v2/feed?cursor=abc^%^3D^%^3D^&limit=20^" ^
  -H ^"accept: application/json, text/plain, */*^" ^
  -H ^"accept-language: en-US,en;q=0.9^" ^
  -b ^"csrftoken=Xy7; sessionid=abc123def^" ^
  -H ^"sec-ch-ua: ^\\^"Chromium^\\^";v=^\\^"124^\\^", ^\\^"Not-A.Brand^\\^";v=^\\^"99^\\^"^" ^
  -H ^"user-agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0^\"""",
        flavour="cmd",
    ),
    Entry(
        "chrome-copy-cmd-post",
        """curl ^"https://www.example.com/graphql^" ^
  -H ^"content-type: application/json^" ^
  -H ^"origin: https://www.example.com^" ^
  --data-raw ^"^{^\\^"operationName^\\^":^\\^"Search^\\^",^\\^"variables^\\^":^{^\\^"q^\\^":^\\^"a ^& b^\\^"^}^}^\"""",
        flavour="cmd",
    ),
    Entry(
        "windows-docs-double-quotes",
        """curl -X POST "https://api.example.com/v1/items" -H "Content-Type: application/json" -d "{\\"name\\": \\"widget\\", \\"qty\\": 2}" ^
  -u "user:pa ss\"""",
        flavour="cmd",
    ),
)
