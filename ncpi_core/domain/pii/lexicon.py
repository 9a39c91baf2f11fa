"""The words the guard's own rules read: who is introduced by a word, what is not a person, who is staff.

These are the lists no maintained library has: the words of child-protection practice that put a
person's name next to a child's situation, and the words of police and partnership plan language
that look like names but are not (ranks, roles, teams, operations, Acts, places). Everything is
lower case; the rules compare lower-cased words.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list, as a set."""
    return frozenset(text.split())


# A word that introduces a person: "child Tom", "victim, Sarah", "his sister Amira", "misper Kayleigh".
PERSON_WORDS = words("""
child children kid kids victim boy girl lad lass yp cyp pupil student baby infant toddler newborn teenager
teen youngster son daughter sibling siblings brother sister stepbrother stepsister twin twins half-brother
half-sister misper suspect offender perpetrator mother father mum mam mom dad step-dad stepdad stepmum
step-mum stepfather stepmother parent parents carer nan nana nanna gran granny grandma grandmother grandad
granddad grandfather grandparent aunt auntie aunty uncle cousin niece nephew boyfriend girlfriend partner
fiance ex-partner guardian foster-carer
""")
# two-word introducers, matched on the text as a phrase
PERSON_PHRASES = ("young person", "missing person", "foster carer", "foster mum", "foster dad", "young people",
                  "looked after child", "child in care", "care leaver", "special guardian")
# family relations a name is owned by: "Jayden's mum", "mother of Jayden"
RELATIONS = words("""
mother father mum mam mom dad stepdad step-dad stepmum stepfather stepmother parent parents carer carers
brother sister sibling siblings twin nan nana gran granny grandma grandmother grandad granddad grandfather
grandparents aunt auntie aunty uncle cousin boyfriend girlfriend partner son daughter baby guardian
social worker teacher school nursery placement foster family friend friends
""")
# care, missing, placement and harm words: a first name near one is a child in a case
CARE_WORDS = words("""
missing misper absconded absent absconds abscond runaway ran found located returned return placed placement
placements foster fostered care looked-after lac cla cp cin s47 section47 disclosed disclosure disclose
exploited exploitation groomed grooming trafficked abused abuse assaulted assault raped injured injuries
bruising bruise neglect neglected arrested detained excluded exclusion self-harm overdose cuckooed
camhs referral referred sarc abe icpc rcpc nrm taken seen interviewed
""")
# a rank, a title or a role before a name: "DS Okoro", "Insp. Walsh and PC Reid", "ACC Mills"
RANKS = words("""
pc pcso dc ds di dci dsi dsupt d/supt supt c/supt chsupt ch.supt insp inspector sgt sergeant constable
detective det chief acc dcc cc t/acc t/dcc t/supt t/ci t/dci t/insp t/sgt a/insp a/sgt a/supt ci cinsp
commander cmdr commissioner pcc dpcc cllr councillor dr prof professor sir dame lord lady rev reverend
officer officers manager lead leads head director chair chairs coordinator co-ordinator analyst advisor
adviser trainer nurse dsl sro spoc secretary superintendent colleague colleagues
""")
# a role *after* a name: "Jane Smith (Head of Safeguarding)", "Sarah Jones, L&D manager"
ROLES_AFTER = words("""
head chair lead manager officer coordinator co-ordinator analyst director superintendent inspector sergeant
dsl sro spoc advisor adviser trainer nurse secretary from of at
""")
# words that make a capitalised run an organisation, a place, a policy or an operation, not a person
ORG_WORDS = words("""
act acts law laws report review reviews inquiry foundation trust centre center house hall church chapel
road street avenue lane close drive court building hospital surgery station council partnership board
team unit hub police constabulary service services society charity group forum panel scheme programme
project operation op exercise ltd limited plc university college academy school primary nursery
institute agency commission office department ministry charter protocol strategy framework policy code
library museum park estate ward district county city borough
""")
# words before a capitalised run that make it an operation or a project: "Operation Hydrant"
OPERATION_WORDS = words("operation op project exercise programme")
# Public names of national reviews, laws and charities that plan language cites (people's names,
# but public and not a child in this force's case).
PUBLIC_NAMES = ("lucy faithfull", "marie collins", "sarah's law", "clare's law", "helen's law", "arthur labinjo",
                "labinjo-hughes", "star hobson", "victoria climbie", "peter connelly", "baby p", "daniel pelka",
                "alexis jay", "jay report", "child a", "child b", "child c", "child d", "child x", "child y",
                "child z", "family a", "child q")
# First names that are also everyday English words. In lower case or capitals they are read as the
# word ("will review", "may need", "amber rating"), so they count as names only in Title Case.
EVERYDAY_NAMES = words("""
will may mark bill frank sue pat don ray dawn hope grace faith joy june april august summer autumn winter
amber ruby jade rose holly ivy daisy lily violet olive fern hazel heather poppy saffron willow sky storm
rain river brook dale glen heath robin rich drew guy rod rob nick jack kit cat pip ash chase hunter mason
penny honey crystal pearl coral cherry junior major sunny rocky lance gene art dean kay eve joy jay jean
carol sandy rusty dusty bob ben al mo di jo em bee dee gem fin sal mac mal tee ted bud reed miles neil
justice destiny harmony charity liberty unity trinity precious happy lucky angel blue red green gold
silver bronze white black brown grey gray young long little short north south east west king prince
earl duke baker cook hall wood hill park field stone church bishop judge page marshall warden
jordan chelsea paris india georgia florence devon sydney austin lincoln dallas china york chester
carter cooper tyler taylor hunter parker piper harper sawyer
""")
# English words that are never a person's name in a sentence about a plan (months, days, RAG
# words, plan and policing vocabulary that the name lists also hold).
NOT_NAMES = words("""
january february march april may june july august september october november december monday tuesday
wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed
thu fri sat sun red amber green blue rag gold silver bronze protection safeguarding exploitation abuse
services service sexual criminal strategy centre centred care team teams unit board plan plans policy
code support voice panel contact risk referral referrals focus focused first the a an and in on of for
to with at by is was officers officer liaison champion leads lead assessment guidance training review
reviews death overview practice friendly arrest trafficking satisfaction right rights personal statement
impact navigator journey experience needs advocate witness hub case cases information conference
protocol act health welfare missing person persons people return interview coordinator management
disclosure scheme led related bail custody detention online internet images criminality county lines
neglect domestic violence partnership commissioner data record records account engagement participation
consultation survey feedback outcome outcomes offer pathway process procedure standard group forum
meeting meetings matters harm harmed safety safe safer wellbeing mental emotional physical emergency
response pack leaflet card form template checklist dashboard report portal app line helpline network
charter promise framework tool toolkit model approach law legislation court family families relative
young adult adults boys girls victims suspects offenders offending behaviour perpetrators survivor
leaver leavers looked after acts section order notice warning identification awareness week month day
year quarter police policing force forces authority council social worker workers work education school
schools college nhs gp child victim pupil baby infant teenager son daughter sibling brother sister
suspect offender mother father mum dad parent parents misper cyp yp boy girl scouts scout guides guide
carer carers agency agencies organisation organisations silver gold chair chief deputy head director
manager analyst insight business learning development communications people crime customer justice
district districts area areas north south east west central city town york harrogate scarborough selby
whitby northallerton ripon malton richmond skipton thirsk hull leeds bradford middlesbrough durham
cleveland humberside teesside yorkshire england wales london uk british national local regional
multi agency inter joint single new old current next last previous all each every any some no none
not yet still also only just now then here there this that these those what which who whom whose when
where why how our your their his her its my we you they he she it us them me him
mash marac mappa lscp lsp ppn dash niche athena storm pnc ncalt hmicfrs iopc npcc cps yot yjs camhs icb
sarc abe icpc rcpc cp cin lac cla cse cce nrm ocg s47 pace rhi dsl sro dpia
hospital surgery station home house flat address street road
""")
# Acronyms that look like initials after a person word ("child CP plan", "YP LAC review")
ACRONYMS = words("""
cp cin lac cla yp cyp dsl sw gp hv aa ab abe cse cce nrm ocg la pc ds dc di ci dci acc dcc cc pcc nhs
rag ok id mash icpc rcpc rhi ppn mp uk sro it hr ld pr qa dob nhs ni ref no tel mob urn cad pnc crn occ
aka yo yrs dsl doe ict ldp rsso vaw vawg dv da dva cid cpt cpu ppu mpu ocg fgm hbv ics pru ehm lcs upn
uln cps cjs yot yjs pcc acc dcc spoc sio sro ao oic ic pip mfh cin lado ehcp sen send""")
# Ages: words that follow a number to make it an age ("14yo", "14 years old", "aged 14")
AGE_BEFORE = words("aged age")
