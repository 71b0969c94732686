// Word lists for finding personal names without a language model. Data only; the rules are in
// person-names.ts.

function set(words: string): ReadonlySet<string> {
  return new Set(words.trim().toLowerCase().split(/\s+/));
}

/**
 * Common first names and short forms in the UK (including names common among South Asian,
 * Polish and other communities in Stoke-on-Trent). A capitalised word in this list is taken
 * for a name wherever it stands.
 */
export const FIRST_NAMES = set(`
  aaron abbie abby abdul abdullah abigail adam adrian agnieszka ahmed aidan aiden aisha alan alana albert alex alexander
  alexandra alfie ali alice alicia alison amanda amelia amina amir amit amy andrea andrew andy angela angie anita ann
  anna anne annette anthony antony anya archie arjun arthur asif ashley aston audrey austin ava barbara barry beata
  becky ben benjamin bernard beth bethany betty bev beverley bilal billy bob bobby brandon brenda brian bridget brooke
  bryan callum cameron carl carla carol caroline carolyn cath catherine charlie charlotte chelsea cheryl chloe chris
  christine christopher claire clare colin connor craig daisy dan daniel danielle danny darren dave david dawid dean
  debbie deborah declan denise dennis derek diane donna doreen dorothy dougie duncan dylan eddie edward eileen elaine
  eleanor elizabeth ella ellie elliot emily emma eric ethan evie ewa fatima fiona frankie freddie gareth garry gary
  gaz gemma geoff geoffrey george georgina gerald gill gillian gordon graham greg gurpreet gwen gwyn gwyneth hannah
  harry harvey hassan hayley helen howard hussain ian imran irene isaac isabel isabella isla ivan jackie jacob jade
  jake james jamie jan jane janet janice jason jayden jean jeff jennifer jenny jeremy jess jessica jill jim jimmy jo
  joan joanne joe joel john johnny jon jonathan joseph josh joshua joyce judith judy julia julie justin kaitlyn kamil
  karen karolina kasia kate katie kayleigh keith kelly ken kenneth kerry kev kevin khalid kieran kim kirsty krzysztof
  kyle laura lauren leah lee leon lewis liam linda lindsay lisa liz lizzie logan lorraine louise lucas lucy luke lynn
  lynne maciej maggie malcolm mandy marcin margaret maria marie marek marion martin martyn mary mason matt matthew maureen
  megan mel melanie michael michaela michelle mick mike mohammed mohammad mohamed muhammad nadia naomi natalie nathan
  neil niamh nicholas nick nicola nicole nigel noah norman oliver olivia oscar owen paige pamela patrick patricia paul
  paula paulette pauline pawel peter phil philip phillip piotr priya rachel rachael rahul raj rajesh rebecca reece rhian
  rhys richard rick ricky rita rob robert robbie robyn roger ronald ross ruth ryan sadia saima sally sam samantha samuel
  sandra sanjay sara sarah scott sean shane shannon sharon shaun sheila shirley siobhan simon sinead sonia sophie stacey
  stanislaw stephanie stephen steve steven stuart susan suzanne tariq terry theo thomas tina tom tomasz toni tony tracey
  tracy trevor tyler usman valerie vanessa vicky wayne wendy william wojciech yasmin yvonne zahid zainab zoe zak zara
  ryszard jolanta magda magdalena marta natalia oliwia zofia aleksandra bartek lukasz mateusz jakub szymon
  sioned cerys dafydd dai delyth eirlys elin ffion glenys heledd huw iestyn ieuan iolo llinos lowri meinir nia osian
  rhiannon rhodri sian sioned tomos
`);

/**
 * First names that are also ordinary words or places ("Will", "Grace", "Victoria"): names only
 * where the sentence says so ("my name is Grace", "ask for Will").
 */
export const WORD_LIKE_NAMES = set(`
  will bill mark rose may june grace hope joy faith dawn summer rob sue pat jack frank victoria georgia florence jordan
  paris sydney india ray les guy art mo al sunny holly ivy jasmine poppy ruby amber crystal jade pearl robin dale glen
  heather iris lily hazel olive april autumn star page carter cooper harper hunter mason skye storm sky chase bob
  stanley milton norton kingsley sandy dusty terry wood nick don jan chelsea aston austin brook
`);

/** Words after "my …" that are followed by a person's name ("my neighbour John"). */
export const RELATION_WORDS = set(`
  neighbour neighbours neighbor son sons daughter daughters husband wife partner fiance fiancee mum mam mom mother
  dad father nan nana nanna nanny gran granny grandma grandmother grandad grandpa granddad grandfather grandson
  granddaughter grandchild friend mate pal brother sister boyfriend girlfriend uncle aunt auntie aunty cousin niece nephew
  carer lad boy girl kid child baby stepson stepdaughter stepdad stepmum landlord landlady teacher colleague boss ex
  lodger tenant keyworker worker doctor gp nurse councillor mp
`);

/** Titles before a surname or full name ("Mrs Patel", "Rev. Margaret Evans"). */
export const TITLES = set(
  `mr mrs ms miss mx dr rev revd reverend cllr councillor sir dame lady lord father sister pastor imam rabbi`,
);

/**
 * Words that can follow "I'm" or start a sign-off without being a name: states, roles,
 * nationalities, and words a capitalising keyboard turns into "Names".
 */
export const NOT_NAMES = set(`
  a an the and or but so just still only really very quite too not never always also now here there from in on at by
  of to for with about after before as if it its this that these those my your our their his her we you they he she
  i me us them all any some no yes yeah ok okay fine good well great glad happy sad sorry sure worried scared afraid
  frightened angry annoyed fuming livid furious upset fed sick tired exhausted desperate struggling stuck lost done
  disabled deaf blind autistic pregnant retired unemployed homeless single married divorced widowed old older young
  new local born bred writing asking trying getting going looking living working waiting hoping calling texting
  messaging replying english welsh british scottish irish polish asian black white muslim christian jewish sikh hindu
  carer mum dad parent grandparent nan student pensioner veteran resident tenant volunteer nurse teacher driver
  council councillor government police doctor doctors nhs gp hello hi hey dear thanks thank cheers regards best love
  kind many please help yes no monday tuesday wednesday thursday friday saturday sunday january february march april
  may june july august september october november december christmas easter today tomorrow yesterday tonight
  everyone everybody anyone anybody someone somebody nobody people person man woman lady gentleman sir madam
  bus buses road roads street shops park parks housing jobs rent bins litter crime safety transport
  live lives lived want wants need needs have has had got am is was were been be think know feel like just can cant
  will would could should did do does dont didnt doesnt isnt wasnt
`);

/**
 * Places and organisations that look like names but must never be redacted (they are not
 * personal, and analysts need them). Lower-case, matched a word at a time.
 */
export const PROTECTED_WORDS = set(`
  stoke trent stoke-on-trent hanley burslem longton tunstall fenton meir bentilee abbey hulton etruria shelton hartshill
  smallthorne norton blurton trentham milton sneyd cobridge middleport chell goldenhill packmoor baddeley birches head
  bucknall berryhill weston coyney normacot dresden lightwood adderley sandford hill penkhull basford springfields
  wolstanton newcastle lyme kidsgrove leek cheadle stone biddulph werrington hulton stanley fegg hayes bradeley
  staffordshire potteries potteries midlands england wales scotland britain cymru cardiff caerdydd swansea abertawe
  wrexham newport bangor aberystwyth carmarthen caerfyrddin llanelli rhyl merthyr pontypridd
  london birmingham manchester liverpool leeds derby nottingham crewe stafford uttoxeter
  festival etruria royal victoria queens queen kings king albert hanley park
  gp nhs a&e universal credit council jobcentre job centre co-op coop tesco asda aldi lidl morrisons sainsburys iceland
  greggs wetherspoons mcdonalds primark boots wilko poundland argos b&m bet365 vale port stoke city
  god jesus allah christmas easter ramadan eid diwali
  citizens advice shelter samaritans mind crisis barnardos oxfam trussell salvation army macmillan nspcc rspca childline
  aid refuge nacro gingerbread plus anonymous age uk team services service centre church school hospital trust
  foundation association club group project network partnership charity residents tenants community
`);
