"""Questions about what has happened or what a figure is now, which rules do not record.

The sources are laws, regulations, guidance and standards: they say what must be done, not who
was fined last year, whether a product has been approved, how many requests the municipalities
received, or what a rate that changes every year is today. "Has Datatilsynet ever fined a
municipality?" shares every word with the GDPR's article on fines, so quoting that article
would answer a question nobody asked. Such a question is told plainly that the sources record
rules, not events, statistics or today's rates.

The patterns are narrow on purpose: a question that only mentions last year ("we bought a tool
last year; was the procurement lawful?") or asks what a fine can be ("how large a fine can we
get?") is a question about the rules and is answered. What counts:
- a record: someone has (ever, so far) been fined, approved or certified; a fine that was
  imposed on someone, or given over recent years; a count of what happened over a past period
  ("how many … last year"); what an authority has said on the matter ("what has Datatilsynet
  said about it?"), or what the ombudsman, an appeals board or a court has said; what
  happened in a case; who holds an office now; how many municipalities do something, what is
  most common;
- a current value: today's rate, price or basic amount (G) in kroner, this year's
  application deadline;
- a later change: a postponement and its new dates, the EU's "omnibus" packages — the sources
  hold the acts as adopted;
- advice: which product, vendor or practice is best; how to set up a named program;
- a local fact: a contact's phone number or e-mail address, who the contact person is, which
  bodies the municipality is a member of, who holds a post in a named municipality or "hos
  oss", the office's own routines and decisions, which menu or form of a program it uses —
  nothing in laws and guidance is about one municipality;
- the retention of one kind of record (personnel files, pupil files, building cases): the
  National Archives' regulation on preservation and disposal and the body's own decisions set
  it, not the archive law the sources hold;
- the AI Act in Norway: the sources hold the regulation as the EU adopted it, not how Norway
  takes it in (a Norwegian AI act, "KI-loven", the authorities Norway designates, when it
  applies or becomes binding here, its place in the EEA Agreement). A question about what
  the AI Act says ("which AI systems are prohibited?") is answered, even when it mentions
  Norway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval.text import asking_sentences

_F = re.IGNORECASE
_GAP = r"(?:[\w'’()-]+\s+){0,8}?"  # up to eight words between the parts of a pattern


@dataclass(frozen=True)
class Fact:
    kind: str  # record, current, local, national, amended, advice, howto, product, predict,
    # disposal
    pattern: re.Pattern[str]


_RECORD_WORDS = (
    r"noen gang|nokon gong|nokon gang|hittil|så langt|til nå|til no|ever|so far|to date|"
    r"godkjent|godkjend|approved|sertifisert|certified|bøtelagt|fined|"
    r"(?:fått|fenge|received|been given)\s+(?:et |eit |a |an )?"
    r"(?:overtredelsesgebyr|lovbrotsgebyr|bot|bøter|fine|fines)"
)

# what a program or a service does: set it up, redact in it, export from it
_HANDLE = (
    r"set up|setup|configure|install|redact|export|enable|activate|integrate|connect|"
    r"turn on|turn off|log in|sette opp|setter opp|setje opp|set opp|konfigurere|konfigurerer|"
    r"installere|installerer|stille inn|stiller inn|sladde|sladder|sladdar|eksportere|"
    r"eksporterer|aktivere|aktiverer|integrere|integrerer|koble|kople|skru på|skru av|slå på|"
    r"slå av|logge inn|skjerme|skjermer|skjermar|deaktivere|deaktiverer|disable|hide|"
    r"switch off|switch on|"
    # a phrasal verb with its subject between: "set eg opp", "slår jeg av"
    r"(?:set|setter|setje|sette|slå|slår|skru|skrur)\s+(?:eg|jeg|vi|me|du|de)\s+(?:opp|av|på)"
)
# programs and services a municipality uses, whose names are not always a capitalised word
_PROGRAM = (
    r"ID-porten|BankID|MinID|Buypass|Altinn|Digipost|SvarUt|SvarInn|eByggeSak|"
    r"Microsoft(?: 365)?|Office 365|M365|Copilot|ChatGPT|Teams|Outlook|SharePoint|OneDrive|"
    r"Word|Excel|Google(?: Workspace)?|Gmail|Acrobat|Adobe(?: Acrobat)?|iPad|Chromebook|"
    r"Elements|Public 360|P360|ePhorte|WebSak|Acos|Visma|Zoom|Slack"
)

# a product's or company's name: a capital and a small letter ("Acrobat", "Elements"), not an
# abbreviation ("GDPR", "KI-systemet") nor the standard or provisions the sources hold
_NAME = r"(?!Noark|Article|Artikkel|Annex|Vedlegg)(?![A-ZÆØÅ]{2,}\b)[A-ZÆØÅ][a-zæøå][\w-]*"

_AI_ACT = r"(?:ki-forordning\w*|ai-forordning\w*|ai act|ki-regelverk\w*)"
_NORWEGIAN = (
    r"(?:i norge|in norway|norsk|norske|norwegian|nasjonal|nasjonale|national|norway's|"
    r"noregs|norges)"
)
_AUTHORITY = (
    r"(?:myndighet\w*|styresmakt\w*|tilsyn\w*|authority|authorities|agency|agencies|regulator)"
)
_HERE = r"(?:i norge|in norway|her i landet|for norge|for norway)"
# what a body has said or found
_SAID = (
    r"(?:sagt|uttalt|uttala|meint|ment|kritisert|konkludert|lagt til grunn|said|stated|"
    r"criticised|criticized|concluded|held|found)"
)
# bodies whose statements and decisions the sources do not hold
_BOARD = (
    r"(?:sivilombudet|sivilombodet|ombudet|ombodet|the ombudsman|the parliamentary ombud\w*|"
    r"personvernnemnda|the privacy appeals board|kofa|klagenemnda|"
    r"likestillings- og diskrimineringsombudet|diskrimineringsnemnda|høyesterett|"
    r"the supreme court|lagmannsretten|tingretten|domstolene|the courts)"
)
_APPLIES = r"(?:gjelde|gjeld|gjelder|apply|applies)"

FACTS: tuple[Fact, ...] = (
    # a question (the sentence opens with it) whether someone has ever, so far, been fined,
    # approved or certified: "Har Datatilsynet godkjent …?", "Has X ever fined …?" — not a
    # situation told as a statement ("Vi har hittil lagret alt i …; er det lov?")
    Fact(
        "record",
        re.compile(rf"^(?:har|hadde|has|have|had)\s+{_GAP}(?:{_RECORD_WORDS})\b", _F),
    ),
    # which ones have been fined: "hvilke kommuner som har fått overtredelsesgebyr"
    Fact(
        "record",
        re.compile(
            r"\b(?:hvilke|hvilken|kva for|which)\s+(?:[\w-]+\s+){0,3}?(?:som\s+|that\s+)?"
            rf"(?:har|has|have)\s+{_GAP}(?:{_RECORD_WORDS})\b",
            _F,
        ),
    ),
    # the size of a fine that was imposed: "how large was the fine", "hvor stort var gebyret"
    Fact(
        "record",
        re.compile(
            r"\b(?:how large|how big|how much)\s+(?:was|were)\s+the\s+fines?\b|"
            r"\b(?:hvor|kor)\s+(?:stort|stor|høyt|høgt)\s+(?:var|vart|ble)\s+(?:\w+\s+){0,2}?"
            r"(?:gebyret|boten|bota|overtredelsesgebyret|lovbrotsgebyret)\b",
            _F,
        ),
    ),
    # a count over a past period: "how many … last year", "kor mange … i fjor"
    Fact(
        "record",
        re.compile(
            rf"\b(?:hvor mange|kor mange|how many)\s+{_GAP}(?:i fjor|forrige år|førre år|"
            rf"last year|in \d{{4}}|i \d{{4}}|so far|hittil|til nå|til no)\b",
            _F,
        ),
    ),
    # what an authority has said on the matter: its statements are not in the sources
    # ("What has Datatilsynet said about it?")
    Fact(
        "record",
        re.compile(
            # "about it", "om saken", or nothing after: a statement on the matter at hand,
            # not what a guidance in the sources says on a subject ("… said about DPIAs")
            r"\b(?:hva|kva|what)\s+(?:har|has|have)\s+(?:\w+\s+){1,4}?(?:sagt|uttalt|"
            r"uttala|meint|ment|said|stated|commented|concluded)\s*(?:seg\s+)?"
            r"(?:(?:om|on|about)\s+(?:it|this|that|the matter|det|dette|saka|saken)\b|"
            r"[?.!]|$)",
            _F,
        ),
    ),
    # what happened in a case, the largest fine ever given, who holds an office now
    Fact(
        "record",
        re.compile(
            r"\b(?:hva som skjedde|kva som skjedde|what happened)\b|"
            r"\b(?:sist|forrige gang|førre gong|last time)\s+(?:vi|me|we)\s+"
            r"(?:hadde|hadde eit|had)\b|"
            r"\b(?:has|have|har)\s+(?:ever|noen gang|nokon gong|nokon gang)\s+"
            r"(?:received|got|been given|fått|fenge)\b|"
            r"\b(?:who is|who's)\s+(?:the\s+)?current\s+\w+|"
            r"\b(?:hvem|kven)\s+(?:som\s+)?er\s+(?:nåværende|noverande)\s+\w+|"
            r"\b(?:hvem|kven|who)\s+(?:som\s+)?(?:er|is)\s+(?:the\s+)?(?:leder|leiar|direktør|"
            r"sjef|director|head|chair|chairman|leader)\w*\b[^?.!]{0,60}\b(?:nå|no|now|"
            r"currently|today|i dag)\b",
            _F,
        ),
    ),
    # what an ombudsman, a board or a court has said: their statements and decisions are
    # not among the sources ("Hva har Sivilombudet uttalt om hvor lang tid …?"); the held
    # guidance of Datatilsynet and the EDPB is, so those are not named here
    Fact(
        "record",
        re.compile(
            rf"\b{_BOARD}\s+(?:har|has|have)\s+{_GAP}{_SAID}\b|"
            rf"\b(?:har|has|have)\s+{_BOARD}\s+{_GAP}{_SAID}\b",
            _F,
        ),
    ),
    # fines or orders given over recent years: "Hvor store overtredelsesgebyr har
    # Datatilsynet gitt norske kommuner de siste årene?"
    Fact(
        "record",
        re.compile(
            rf"\b(?:har|has|have)\s+{_GAP}(?:gitt|gjeve|ilagt|ilagd|imposed|issued|given|"
            r"levied)\b[^?.!]{0,100}\b(?:de siste årene|dei siste åra|de senere årene|"
            r"dei seinare åra|in recent years|over the last few years|the last few years|"
            r"the past few years)\b",
            _F,
        ),
    ),
    # how a complaints board or court decided: "Har KOFA avgjort saker der …, og kva vart
    # utfallet?"
    Fact(
        "record",
        re.compile(
            r"\b(?:hva|kva|what)\s+(?:ble|vart|blei|was|were)\s+(?:the\s+)?(?:utfallet|"
            r"resultatet|outcome|result)\b|"
            r"\b(?:har|has|have)\s+(?:[\w()-]+\s+){1,4}?(?:avgjort|behandlet|behandla|"
            r"decided|ruled on|heard)\s+(?:noen\s+|nokon\s+|any\s+)?(?:saker|cases)\b",
            _F,
        ),
    ),
    # whether a named product is approved: "Er Copilot godkjent etter GDPR?", "Is Zoom
    # certified?" (a name with a capital letter; "Er KI-systemet godkjent?" asks the rules)
    Fact(
        "record",
        re.compile(
            # a name, not an abbreviation in a compound ("KI-systemet")
            r"^(?i:er|is|are)\s+(?:(?![A-ZÆØÅ]{2,}-)[A-ZÆØÅ][\w-]*|\d+)"
            r"(?:\s+(?:[A-ZÆØÅ][\w-]*|\d+))*\s+"
            r"(?i:godkjent|godkjend|approved|certified|sertifisert|compliant|gdpr-compliant|"
            r"gdpr-godkjent)\b"
        ),
    ),
    # how the municipalities do it: "How many Norwegian municipalities already use …?",
    # "which vendors are most common?"
    Fact(
        "record",
        re.compile(
            r"\b(?:hvor mange|kor mange|how many)\s+(?:\w+\s+)?(?:kommuner|kommunar|"
            r"municipalities|fylkeskommuner|counties)\s+(?:\w+\s+){0,2}?(?:bruker|brukar|"
            r"nyttar|har|use|have|uses|has|tatt i bruk|teke i bruk|adopted)\b|"
            r"\b(?:mest vanlige?|vanlegast|mest brukte?|most common|most popular|most used|"
            r"most widely used|flest (?:\w+\s+)?(?:kunder|kundar|brukere|brukarar)|"
            r"most (?:\w+\s+)?(?:customers|clients|users)|markedsandel\w*|marknadsdel\w*|"
            r"market share)\b",
            _F,
        ),
    ),
    # which ones are approved now: "Which systems are currently approved by Arkivverket?"
    Fact(
        "record",
        re.compile(
            r"\b(?:hvilke|hvilken|kva for|which|what)\s+(?:[\w-]+\s+){0,6}?(?:er|is|are)\s+"
            r"(?:currently\s+|now\s+|nå\s+|no\s+|i dag\s+|per i dag\s+)?"
            r"(?:godkjent|godkjende|godkjend|approved|sertifisert|certified)\b",
            _F,
        ),
    ),
    # facts about one municipality: its contacts and memberships
    Fact(
        "local",
        re.compile(
            r"\b(?:hvilket|hvilke|kva for|kva er|hva er|what is|what's|which)\s+(?:\w+\s+){0,2}?"
            r"(?:telefonnummer\w*|phone number|telephone number|e-postadresse\w*|"
            r"epostadresse\w*|email address|e-mail address)\b|"
            r"\b(?:hvem|kven|who)\s+(?:er|is)\s+(?:\w+\s+){0,1}?(?:kontaktperson\w*|"
            r"contact person|our contact)\b|"
            r"\b(?:er|is|are)\s+(?:kommunen vår|vår kommune|kommunen|vi|we|our municipality)\s+"
            r"(?:\w+\s+)?(?:medlem|medlemmer|medlemer|a member|members)\b|"
            # who holds a post here: "Hvem er personvernombud hos oss nå?", "who is our DPO?"
            r"\b(?:hvem|kven|who)\s+(?:som\s+)?(?:er|is)\s+(?:[\w-]+\s+){0,3}?(?:hos oss|"
            r"i kommunen vår|i vår kommune|in our municipality|at our municipality)\b|"
            r"\b(?:hvem|kven)\s+er\s+[\w-]+\s+(?:vårt|vår|vort)\b|\bwho is our\b|"
            r"\bwho\s+(?:at|in)\s+(?:the|our)\s+(?:municipality|council)\b|"
            # the office's own routines, and what it has already decided or signed
            r"\b(?:rutinen vår|rutinene våre|rutinane våre|våre rutiner|våre rutinar|"
            r"vårt reglement|reglementet vårt|retningslinjene våre|retningslinene våre|"
            r"internkontrollen vår|our routines?|our procedures?|our internal (?:policy|rules)|"
            r"our policy)\b|"
            r"^(?:does|has|have|did)\s+(?:our municipality|our council|our school|we)\s+"
            r"(?:already\s+)?(?:have|has|signed|adopted|approved|decided|designated)\b|"
            r"^(?:har|hadde)\s+(?:kommunen vår|vår kommune|kommunestyret hos oss|"
            r"kommunestyret vårt|[\w-]+ hos oss|vi)\s+(?:allerede\s+|alt\s+|allereie\s+)?"
            r"(?:vedtatt|vedteke|vedtekne|signert|inngått|godkjent|godkjend|bestemt|utpekt|"
            r"utpeikt)\b|"
            # which of the county governors' offices a named municipality belongs to
            r"\b(?:hvilket|hvilken|kva|which)\s+(?:statsforvalter\w*|statsforvaltar\w*|"
            r"county governor\w*)\b|"
            # which menu, button or form of a program the office uses
            r"\b(?:which|what|hvilken|hvilket|hvilke|kva for(?: ein| eit)?)\s+(?:menu|menus|"
            r"button|screen|tab|option|meny\w*|menyval\w*|knapp\w*|skjermbilde\w*|"
            r"skjermbilete\w*|fane\w*|skjema)\b[^?.!]{0,60}\b(?:do i|do we|should i click|"
            r"bruker vi|brukar vi|bruker jeg|brukar eg|klikker|klikkar|trykker|trykkjer)\b|"
            # who holds a post in a named municipality: "Hvem er personvernombud i Hurdal
            # kommune?"
            r"\b(?:hvem|kven|who)\s+(?:er|is)\s+(?:[\w-]+\s+){0,4}?(?:i|in|at|for)\s+"
            r"(?-i:[A-ZÆØÅ][\w-]+)\s+(?:kommune|municipality|fylkeskommune|county)\b",
            _F,
        ),
    ),
    # how the AI Act is taken into Norwegian law: a Norwegian AI act, Norway's authorities
    # under it, when it applies in Norway
    Fact(
        "national",
        re.compile(
            r"\bki-lov(?:en|a)?\b|\bai-lov(?:en|a)?\b|"
            rf"\b{_NORWEGIAN}\s+(?:\w+\s+)?(?:ai|ki)[- ](?:act|lov|lova|loven)\b|"
            # a Norwegian authority or agency under the AI Act, either order
            rf"\b{_NORWEGIAN}\s+(?:\w+\s+)?{_AUTHORITY}\b[^.?!]{{0,80}}{_AI_ACT}|"
            rf"{_AI_ACT}[^.?!]{{0,80}}\b{_NORWEGIAN}\s+(?:\w+\s+)?{_AUTHORITY}\b|"
            # when and whether it applies here
            rf"{_AI_ACT}[^.?!]{{0,60}}\b(?:{_APPLIES}|tre i kraft|trer i kraft|"
            r"tek til å gjelde|enter into force|enters into force|in force|binding|bindende|"
            r"bindande)\s+"
            rf"(?:\w+\s+)?{_HERE}\b|"
            # taken into the EEA Agreement, and the Norwegian act that implements it
            rf"{_AI_ACT}[^.?!]{{0,80}}\b(?:eea agreement|eøs-avtalen|eøs-avtala)\b|"
            rf"\b{_NORWEGIAN}\s+(?:\w+\s+)?(?:act|law|lov|lova|loven)\s+(?:that\s+)?"
            r"(?:implementing|implements|(?:som\s+)?gjennomfører)\b|"
            rf"\b{_APPLIES}\b[^.?!]{{0,40}}{_AI_ACT}[^.?!]{{0,20}}\b{_HERE}\b|"
            rf"{_AI_ACT}[^.?!]{{0,40}}\b(?:i norge|in norway)\b[^.?!]{{0,40}}\b(?:"
            rf"{_APPLIES}|i kraft|in force|innført|innlemmet|incorporated|implementert|"
            r"implemented)\b|"
            r"\b(?:utpekt|utpeikt|designated|appointed)\b[^.?!]{0,60}\b(?:i norge|in norway)\b",
            _F,
        ),
    ),
    # which product or practice is best: the sources say what the rules require, not what
    # to choose ("Hvilket system passer best for oss?", "What is best practice?")
    Fact(
        "advice",
        re.compile(
            r"\b(?:beste praksis|best practice|best practices|passer best|passar best|"
            r"fits best|suits us best|er best egnet|er best eigna|is best suited|"
            r"anbefaler du|tilrår du|would you recommend|do you recommend|"
            r"anbefaler dere|anbefaler de|tilrår de|tilrår dykk|what do you recommend|"
            r"what would you advise|hva råder du|hva råder dere|kva rår du|kva rår de|"
            r"er det lurere|er det lurast|er det lurest|would it be wiser|is it wiser|"
            r"is it smarter|er det lurt|er det klokt|er det smart|er det fornuftig|"
            r"is it wise|is it a good idea|would it be smart|would it be a good idea)\b|"
            r"\b(?:hvilke|hvilken|kva for|which)\s+(?:\w+\s+)?(?:leverandører|leverandørar|"
            r"leverandør|vendors|vendor|suppliers)\s+(?:har|have|has|tilbyr|offer|offers|"
            r"bør|should|er best|is best)\b",
            _F,
        ),
    ),
    # how to set up or work a program: "How do I set up automatic deletion in Outlook?",
    # "Hvordan sladder jeg i Adobe Acrobat?", "walk me through how to set up BankID login
    # via ID-porten"
    Fact(
        "howto",
        re.compile(
            r"\b(?i:how do i|how do we|how can i|how can we|how to|hvordan|korleis)\s+"
            rf"(?:\w+\s+){{0,2}}?(?i:{_HANDLE})\b"
            r"[^?.!]{0,100}\b(?i:i|in|via|through|gjennom|using|from|fra|frå)\s+"
            rf"(?:(?i:{_PROGRAM})|{_NAME})(?:\s+\d+)?\b|"
            r"\b(?i:step by step|steg for steg|trinn for trinn|walk me through)\b"
            rf"[^?.!]{{0,100}}\b(?i:{_HANDLE})\b"
        ),
    ),
    # what a named vendor or product does with the data: "Does Microsoft keep our prompts
    # inside the EU?", "Lagrer Google dataene i Norge?", "Does that plan keep our prompts out
    # of model training?" — a fact about a product, not a rule
    Fact(
        "product",
        re.compile(
            r"^(?i:does|do|will|did|is|are)\s+(?:(?i:that|this|the)\s+(?i:plan|service|app|"
            r"tool|product|subscription|licen[cs]e|vendor|supplier|provider)|"
            rf"(?i:{_PROGRAM})|{_NAME})"
            r"(?:\s+[A-Z0-9][\w-]*)*\s+(?:\w+\s+){0,2}?(?i:keep|keeps|store|stores|stored|"
            r"process|processes|processed|retain|retains|log|logs|use|uses|train|trains|send|"
            r"sends|transfer|transfers|share|shares)\b|"
            r"^(?i:lagrer|lagrar|behandler|behandlar|bruker|brukar|sender|deler|trener|trenar|"
            r"overfører)\s+"
            rf"(?:(?i:{_PROGRAM})|{_NAME})\b|"
            r"\b(?i:our prompts|the prompts|promptene|promptane|våre prompter|ledetekstene)\b"
            r"[^?.!]{0,80}\b(?i:stored|kept|processed|used|training|lagret|lagra|brukt|"
            r"trening|EEA|EU|EØS|US|USA)\b",
        ),
    ),
    # a prediction: how a court or a board will decide, the chances of winning
    Fact(
        "predict",
        re.compile(
            r"\b(?:how likely|hvor sannsynlig|kor sannsynleg|kor truleg|hvor trolig|"
            r"what are (?:our|the) chances|hvor store sjanser|kor store sjansar|"
            r"(?:hvor|kor) stor\s+(?:sjanse|sannsynlighet|sannsyn)|"
            # "Tror du Datatilsynet gir oss bot?", "do you think the board will …" — not
            # "Tror du dette er lov?", which asks the rule
            r"(?:tror|trur) du\s+(?:at\s+)?(?:[\w-]+\s+){0,3}?(?:vil|gir|får|blir|kommer|vinner)|"
            r"do you think\s+(?:that\s+)?(?:[\w-]+\s+){0,3}?(?:will|would)|"
            r"will we win|would we win|vil vi vinne|vinner vi|"
            r"(?:would|will) (?:the )?(?:court|board|tribunal|kofa) (?:rule|decide|find)|"
            r"(?:vil|kommer) (?:retten|domstolen|tingretten|lagmannsretten|klagenemnda|kofa)\s+"
            r"(?:\w+\s+)?(?:dømme|døme|avgjøre|avgjere|gi oss medhold|komme til))\b",
            _F,
        ),
    ),
    # later changes to an act, proposed or adopted after the text the sources hold: a
    # postponement and its new dates, the EU's "omnibus" packages
    Fact(
        "amended",
        re.compile(
            r"\bomnibus\w*|"
            r"\b(?:utsatt|utsett|utset|forskjøvet|forskove|postponed?|postponing|postponement|"
            r"delayed|pushed back)\b[^?!]{0,120}\b(?:nye|new|revised|updated)\s+"
            r"(?:\w+\s+)?(?:datoer|datoar|dato|frister|fristar|fristene|fristane|dates|date|"
            r"deadlines|timeline|tidsplan)\b|"
            r"\b(?:hva|kva|what)\s+(?:er|is|are)\s+(?:the\s+|de\s+|dei\s+)?(?:nye|new|revised)\s+"
            r"(?:datoene|datoane|fristene|fristane|dates|deadlines|timeline)\b",
            _F,
        ),
    ),
    # a value that changes every year, asked for as it is now
    Fact(
        "current",
        re.compile(
            r"\b(?:dagens|årets|today's|this year's|current)\s+"
            r"(?:\w+\s+)?(?:sats|satser|satsar|satsen|pris|priser|prisar|grunnbeløp\w*|"
            r"rate|rates|price|prices|basic amount|søknadsfrist\w*|application deadline)\b|"
            # this year's application deadline: "Hva er søknadsfristen i år?"
            r"\b(?:søknadsfrist\w*|application deadline|deadline for applications)\s+"
            r"(?:\w+\s+)?(?:i år|this year|for i år|for this year)\b|"
            r"\b(?:grunnbeløpet|basic amount|G)\b[^.?!]{0,40}\b(?:i kroner|in kroner|in NOK|"
            r"i dag|today|now|nå)\b|"
            r"\b(?:hva er|kva er|what is)\s+(?:G|grunnbeløpet|the basic amount)\b",
            _F,
        ),
    ),
)

_SENTENCE = re.compile(r"(?<=[.?!:;])\s+")


# which Norwegian body, in a question about the AI Act told over several sentences: "Vi har
# gjort en konsekvensvurdering for et høyrisiko KI-system. Hvilket norsk organ skal vi sende
# resultatet til?" (the sources name no Norwegian body under the Act)
_WHICH_NORWEGIAN_BODY = re.compile(
    rf"\b(?:hvilket|hvilken|hvilke|kva for(?: eit| ein)?|kva|which|what)\s+{_NORWEGIAN}\s+"
    r"(?:\w+\s+)?(?:organ|organet|body|etat|etaten|myndighet\w*|styresmakt\w*|authority|"
    r"authorities|agency|regulator)\b",
    _F,
)
_AI_MENTION = re.compile(
    rf"{_AI_ACT}|\b(?:ki|ai)[- ](?:system\w*|verktøy\w*|tool\w*|løsning\w*|løysing\w*)|"
    r"\bhøy ?risiko[- ]?ki\b|\bhøg ?risiko[- ]?ki\b|\bhigh-risk ai\b|"
    r"\bfundamental rights impact assessment\b|\bkonsekvensvurdering for grunnleggende\b",
    _F,
)


# how long one kind of record is kept, or whether it is preserved for good: the National
# Archives' regulation on preservation and disposal and the body's own decisions say so, not
# the archive law ("Vi har personalmappene til ansatte som sluttet på 1990-tallet. Skal de
# bevares for alltid, eller kan vi kassere dem etter et bestemt antall år?"); how to dispose
# of records, or whether one may at all, is answered
_RECORD_TYPE = re.compile(
    r"\b(?:\w*mapp(?:e|er|ene|a|ane|ar)|\w+saker|\w+sakene|\w+sakane|"
    r"byggesak\w*|byggjesak\w*|søknadene|søknadane|journalene|journalane|case files|"
    r"personnel files|pupil files|records of)\b",
    _F,
)
_RETENTION = re.compile(
    r"\b(?:bevares|bevarast|bevart|takast vare på|tas vare på|ta vare på|kept|preserved|"
    r"retained)\s+(?:[\w-]+\s+){0,2}?(?:for alltid|for all framtid|for all fremtid|"
    r"for ettertiden|for ettertida|permanently|for ever|forever|for good)\b|"
    r"\b(?:kassere\w*|kasserast|kasseres|destroy\w*|dispose of|delete)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:etter|after)\s+(?:et bestemt|ei viss|en viss|eit visst|et visst|a certain|a set|\d+|"
    r"hvor mange|kor mange|how many)|"
    r"\b(?:hvor mange år|kor mange år|how many years)\b[^?.!]{0,60}\b(?:oppbevare\w*|"
    r"ta vare på|keep|retain)\b",
    _F,
)


def asks_fact(question: str) -> str | None:
    """The kind of fact (record, current, local, national, amended, advice, howto, product,
    predict) the question asks for, or None."""
    for sentence in _SENTENCE.split(question.strip()):
        for fact in FACTS:
            if fact.pattern.search(sentence.strip()):
                return fact.kind
    if _WHICH_NORWEGIAN_BODY.search(question) and _AI_MENTION.search(question):
        return "national"
    asking = " ".join(asking_sentences(question)) or question
    if _RETENTION.search(asking) and _RECORD_TYPE.search(question):
        return "disposal"
    return None
