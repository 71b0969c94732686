// What residents write about each theme, in English and Welsh. Data only: the matching rules
// are in offline-theme-tagger.ts.
//
// How entries are read:
// - words and phrases are matched whole, after tokenise() (lower-case, accents folded,
//   text-speak spelt out) and a light plural stemmer, so "pothole" also finds "potholes";
// - longer phrases win over the words inside them ("car park" is transport, not a park);
// - `strong` entries tag the theme alone; `weak` ones count half, so they need a second clue
//   in the message ("cheaper" + "food") unless the answer is only a few words ("care");
// - `shared` phrases tag several themes; `ignore` phrases consume words that would otherwise
//   mislead ("I don't care", "email me", "it never works");
// - Welsh words are also found mutated ("bysiau" -> "fysiau", "gofal" -> "ofal").
import type { ThemeId } from "../directory/themes.js";

export interface ThemeWords {
  readonly strong: readonly string[];
  readonly weak: readonly string[];
  /** Welsh: the radical form, mutated forms are generated. */
  readonly welsh: readonly string[];
  readonly welshWeak?: readonly string[];
}

export const THEME_LEXICON: Readonly<Record<ThemeId, ThemeWords>> = {
  housing: {
    strong: [
      "section 21", "no fault eviction", "housing register", "housing officer", "bed and breakfast", "social rent", "affordable rent", "squatters", "empty properties", "letting agents", "deposit", "housing crisis", "derelict houses", "night shelter", "cladding", "draughty", "cold house", "insulation", "bidding", "damp and mould", "put the rent up", "rent up", "rent rise", "rent increase",
      "housing", "homes", "homeless", "homelessness", "rough sleeping", "rough sleeper", "sleeping rough", "sleeping in doorways",
      "landlord", "landlords", "landlady", "letting agent", "tenant", "tenancy", "evict", "evicted", "eviction", "evicting",
      "rent", "rents", "renting", "rented", "private rent", "council house", "council flat", "council housing", "social housing",
      "housing association", "housing list", "housing waiting list", "affordable housing", "affordable homes", "starter homes",
      "first time buyer", "mortgage", "damp", "mould", "mouldy", "black mould", "condensation", "disrepair", "repairs",
      "boiler", "no heating", "leaking roof", "roof leaks", "roof leaking", "accommodation", "temporary accommodation", "hostel",
      "bedsit", "hmo", "overcrowded", "overcrowding", "sofa surfing", "house prices", "empty houses", "empty homes",
      "new houses", "more houses", "build houses", "houses for", "homes for", "tower block", "high rise", "flats",
      "right to buy", "new build", "new builds", "housing estate", "place to live", "somewhere to live",
    ],
    weak: ["house", "home", "flat", "leak", "leaks", "roof", "repair", "heating", "lifts", "property", "properties", "next door"],
    welsh: [
      "tai", "cartref", "cartrefi", "rhent", "rhenti", "landlord", "tamprwydd", "llwydni", "digartref", "digartrefedd",
      "tai cyngor", "tai fforddiadwy", "tai cymdeithasol", "fflatiau", "lle i fyw", "tenant", "tenantiaid", "tai gwag",
    ],
    welshWeak: ["fflat"],
  },
  cost_of_living: {
    strong: [
      "cheaper", "breadline", "on the breadline", "wage", "salary", "payday", "carers allowance", "attendance allowance", "cost of", "price of", "prices up", "rising prices", "everything is so expensive", "water rates", "standing charge", "standing charges", "cash machine charges",
      "cost of living", "bills", "energy bill", "gas bill", "electric bill", "electricity bill", "water bill", "phone bill",
      "gas and electric", "electric meter", "prepayment meter", "gas meter", "meter", "top up", "electricity",
      "food bank", "foodbank", "food parcel", "food pantry", "food prices", "prices", "price rises", "inflation",
      "afford", "cant afford", "cannot afford", "unaffordable", "affordability", "costs a fortune", "cost a fortune", "too expensive",
      "skint", "poverty", "fuel poverty", "child poverty", "hardship", "debt", "debts", "in debt", "bailiffs", "loan shark",
      "benefits", "benefit cuts", "universal credit", "pip", "esa", "jsa", "dla", "pension credit", "sanction", "sanctioned",
      "sanctioning", "sanctions", "wages", "low pay", "low wages", "minimum wage", "living wage", "pay enough", "pay rise",
      "council tax", "business rates", "money advice", "budgeting", "heating or eating", "heat or eat", "heating and eating",
      "hungry", "hunger", "starving", "struggling to pay", "pay the bills", "pay my bills", "make ends meet", "cost of food",
      "energy prices", "fuel bills", "heating bills", "free school meals", "school uniform", "bedroom tax",
      "housing benefit", "scrimping", "too high", "gone up", "going up", "goes up", "doubled", "sky high", "extortionate", "rip off", "ripoff", "payday loan", "credit union", "overdraft", "cost", "costs",
    ],
    weak: [
      "pounds", "quid", "cash", "struggling", "crisis", "charge", "fees",
      "tight", 
      "money", "cheaper", "cheap", "expensive", "afford to", "affordable", "energy", "gas", "fuel", "electric", "food", "broke",
      "poor", "price", "loan", "pension", "pay", "paying", "eat", "eating", "heat", "dear", "charges", "free",
    ],
    welsh: [
      "costau byw", "cost byw", "biliau", "bil", "prisiau", "banc bwyd", "banciau bwyd", "dyled", "dyledion", "tlodi",
      "budd daliadau", "credyd cynhwysol", "treth gyngor", "fforddio", "drud", "biliau ynni", "costau", "cyflogau", "rhy uchel", "rhy ddrud",
    ],
    welshWeak: ["arian", "ynni", "tanwydd", "bwyd", "rhad"],
  },
  jobs_skills: {
    strong: [
      "train as", "to train", "train up", "train people", "train local", "retrain as",
      "job seekers", "jobseekers", "agency work", "temp work", "skilled jobs", "work placement", "work placements", "traineeship", "traineeships", "literacy", "numeracy", "maths and english", "learn english", "english lessons", "night school", "evening classes", "adult classes", "for adults", "education for adults", "job fair", "job fairs", "local jobs",
      "jobs", "job", "employment", "unemployment", "unemployed", "out of work", "no work", "find work", "finding work",
      "get work", "looking for work", "back to work", "into work", "zero hours", "apprenticeship", "apprenticeships", "apprentice",
      "training", "skills", "skill", "careers", "career", "cv", "job centre", "jobcentre", "work coach", "job search",
      "employer", "employers", "qualification", "qualifications", "adult education", "adult learning", "courses", "course",
      "vacancies", "hiring", "recruiting", "internship", "esol", "english classes", "upskill", "upskilling", "retrain",
      "retraining", "school leaver", "well paid", "decent work", "proper work", "work experience", "volunteering",
      "factory", "factories", "industry", "graduate", "graduates", "career advice", "opportunities for work",
    ],
    weak: [
      "lessons", "adults", "earn", "earning",
      "classes", "work", "working", "learn", "learning", "college", "business", "businesses", "opportunities", "apply", "applying", "employed", "pay", "wage"],
    welsh: [
      "swyddi", "swydd", "di waith", "diweithdra", "sgiliau", "hyfforddiant", "prentisiaeth", "prentisiaethau", "cyflogaeth",
      "cyfleoedd gwaith", "cyrsiau", "cwrs", "cyflogwyr",
    ],
    welshWeak: ["gwaith", "dysgu", "coleg"],
  },
  health_wellbeing: {
    strong: [
      "someone to talk to", "talk to someone", "feeling down", "low mood",
      "opticians", "optician", "hearing test", "maternity", "midwives", "health visitors", "vaccinations", "vaccine", "covid", "long covid", "rehab", "recovery services", "sober", "healthy food", "weight loss", "sport", "sports", "walking group", "walking groups", "mental illness", "psychiatric", "crisis team", "111", "gp surgery", "doctors surgery", "health centre", "medical centre", "eating disorder", "autism assessment",
      "health", "mental health", "gp", "doctor", "doctors", "doctors appointment", "gp appointment", "surgery", "hospital",
      "hospitals", "ae", "ambulance", "nhs", "nurse", "nurses", "dentist", "dentists", "dental", "pharmacy", "pharmacies", "chemist",
      "prescription", "prescriptions", "wellbeing", "well being", "anxiety", "depression", "depressed", "loneliness", "lonely",
      "isolation", "asthma", "illness", "cancer", "diabetes", "obesity", "healthy", "unhealthy", "fitness", "exercise", "gym",
      "addiction", "alcohol", "alcoholism", "alcoholic", "drug addiction", "drug services", "suicide", "suicidal", "self harm",
      "counselling", "counseling", "therapy", "therapist", "camhs", "stroke", "parkinsons", "medication", "test results",
      "walk in centre", "royal stoke", "waiting times", "ill health", "physio", "midwife", "health visitor", "blood test",
      "operation", "stress", "stressed", "breakdown", "mental", "smoking", "vaping", "hospice", 
    ],
    weak: [
      "swimming", "wellness", "poorly",
      "sick", "ill", "appointment", "appointments", "waiting list", "drinking", "isolated", "sickness", "medical", "pain", "disease"],
    welsh: [
      "iechyd", "iechyd meddwl", "meddyg", "meddygon", "meddyg teulu", "ysbyty", "ysbytai", "deintydd", "deintyddion",
      "fferyllfa", "lles", "nyrs", "nyrsys", "apwyntiad", "salwch", "unigrwydd", "gwasanaeth iechyd", "meddygfa",
    ],
  },
  safety: {
    strong: [
      "throwing stones", "stone throwing", "cameras", "camera", "shop lifters", "shoplifters", "shoplifter",
      "bobbies", "bobby", "on the beat", "coppers", "police presence", "pcsos", "crime rate", "thieves", "thieving", "car thefts", "catalytic converter", "break in", "drug users", "druggies", "junkies", "spice", "drunks", "street drinking", "aggressive begging", "dangerous dogs", "dog attack", "dog attacks", "street lamps", "street lamp", "lamp posts", "lamp post", "nuisance", "noise", "noisy", "antisocial", "yobs", "thugs", "hoodies", "feel threatened", "polis", "mugged off",
      "safety", "unsafe", "not safe", "feel safe", "feel unsafe", "feels unsafe", "feel safer", "safer", "crime", "crimes", "criminal",
      "criminals", "police", "policing", "cops", "pcso", "anti social", "antisocial", "anti social behaviour", "burglary", "burglaries",
      "burgled", "broken into", "break ins", "robbery", "robbed", "mugging", "mugged", "stabbed", "stabbing", "stabbings", "knife",
      "knives", "blades", "guns", "shooting", "violence", "violent", "assault", "assaulted", "attacked", "drug dealing",
      "drug dealer", "drug dealers", "dealing drugs", "dealers", "gang", "gangs", "vandalism", "vandals", "vandalised",
      "smashing", "smashed", "fireworks", "motorbikes", "off road bikes", "quad bikes", "terrorising", "intimidating",
      "intimidation", "scared", "frightened", "afraid", "dangerous", "danger", "death trap", "cctv", "street lights",
      "street lighting", "streetlights", "lighting", "pitch black", "speeding", "speed bumps", "speed cameras", "boy racers",
      "loud music", "noisy neighbours", "scam", "scams", "scammers", "fraud", "domestic abuse", "domestic violence", "abuse",
      "hate crime", "harassment", "harassed", "exploitation", "county lines", "shoplifting", "theft", "thefts", "stolen",
      "joyriders", "joyriding", "patrols", "neighbourhood watch", "needles", "nuisance neighbours", "threatening",
      "causing trouble", "bad crowd", "wrong crowd", "maniacs", "maniac", "reckless", "dangerous driving", "racing", "fighting", "fights", "arson", "racist", "racism", "safe",
    ],
    weak: [
      "deal",
      "begging", "drunk", "lamps", "youths hanging around", "hanging around", "hanging round",
      "dealing", "trouble", "drugs", "dark", "noise", "noisy", "killed", "kill", "hurt", "gets hurt", "speed", "behaviour", "lights"],
    welsh: [
      "diogelwch", "diogel", "ddiogel", "trosedd", "troseddau", "heddlu", "plismyn", "ymddygiad gwrthgymdeithasol", "cyffuriau",
      "peryglus", "goleuadau stryd", "lladrata", "lladron", "trais", "ofn", "camdriniaeth", "sgamiau",
    ],
  },
  transport: {
    strong: [
      "bus shelter", "bus shelters", "late buses", "night buses", "night bus", "sunday buses", "train line", "rail link", "park and ride", "pot holes", "pot hole", "road surface", "resurfacing", "one way", "speed humps", "20mph", "traffic calming", "parking permits", "residents parking", "double parking", "parked on pavements", "parking on pavements", "electric car", "electric cars", "ev charging", "chargers", "charging point", "gritting", "gritted", "bus drivers", "bus driver", "ring road", "level crossing", "buses every", "bus every",
      "transport", "public transport", "bus", "buses", "busses", "bus station", "bus stop", "bus service", "bus services",
      "bus route", "bus routes", "bus pass", "bus fares", "train", "trains", "railway", "train station", "rail",
      "tram", "roads", "potholes", "pothole", "traffic", "congestion", "gridlock", "gridlocked",
      "rush hour", "parking", "car park", "nowhere to park", "to park", "speeding", "speed bumps", "speed limit", "pavement",
      "footpath", "footpaths", "crossing", "zebra crossing", "pedestrian crossing", "cycling", "cycle lanes", "cycle paths",
      "bike lanes", "cyclists", "a50", "a500", "a34", "a53", "m6", "motorway", "dial a ride", "ring and ride", "community transport",
      "timetable", "timetables", "last bus", "first bus", "roadworks", "lorries", "hgv", "taxi", "taxis",
      "ev chargers", "charging points", "commute", "commuting", "travel", "travelling", "school run", "drive like",
      "road safety", "uber", "link road", "bypass", "junction", "roundabout", "tyre",
    ],
    weak: [
      "cancelled", "delayed", "lanes", "drive", "lights", "traffic lights",
      "car", "drivers", "driving", "road", "station", "cycle", "bikes", "bike", "links", "route", "routes", "connections", "lift", "get to"],
    welsh: [
      "trafnidiaeth", "bws", "bysiau", "tren", "trenau", "ffyrdd", "tyllau yn y ffordd", "tyllau", "gorsaf", "parcio", "maes parcio",
      "beicio", "traffig", "tacsi", "gorsaf fysiau", "rheilffordd", "teithio",
    ],
    welshWeak: ["ffordd"],
  },
  environment: {
    strong: [
      "dog owners", "after their dogs", "after their dog",
      "the tip", "recycling centre", "tip is", "garden waste", "brown bin", "green bin", "blue bin", "bin men", "binmen", "bin day", "litter pickers", "litter picking", "litter pick", "wildflower", "wildflowers", "bees", "hedgehogs", "ponds", "tree planting", "air pollution", "sewage", "fly tip", "dump", "abandoned cars", "burnt out cars", "pigeons", "seagulls", "towpath", "cut down trees", "trees cut down", "planters", "hanging baskets", "dog bins", "overflowing bins", "the environment",
      "environment", "environmental", "bins", "bin", "bin collection", "bin collections", "rubbish collection", "rubbish collections",
      "full of rubbish", "the rubbish", "rubbish everywhere", "rubbish bags", "piles of rubbish", "litter", "littering", "fly tipping",
      "flytipping", "fly tippers", "fly tipped", "dumping", "dumped", "recycling", "waste", "dog mess", "dog muck", "dog poo",
      "dog fouling", "dog dirt", "parks", "park", "green space", "green spaces", "green fields", "green belt", "greenery", "trees",
      "tree", "flowers", "planting", "nature", "nature reserve", "wildlife", "allotment", "allotments", "canal", "river", "pollution",
      "air quality", "polluted", "fumes", "climate", "climate change", "net zero", "solar", "landfill", "stink", "stinks", "smell",
      "rats", "vermin", "pests", "overgrown", "grass verges", "grass cutting", "grass", "weeds", "street cleaning", "clean up",
      "cleaner streets", "clean streets", "filthy", "dirty", "messy", "chewing gum", "graffiti", "flooding", "floods", "flood",
      "drains", "blocked drains", "gullies", "woods", "woodland", "countryside", "lake", "pond", "hedges", "leaves", "outdoor space",
      "open spaces", "play area", "playing fields", "pitches", "shopping trolley", "mattresses", "needles",
    ],
    weak: [
      "mud", "muddy", "smells", "smelly", "dumps",
      "mess", "foxes", "rubbish", "clean", "cleaner", "cleaning", "fields", "walks", "green", "outdoors", "wildflowers", "state of", "eyesore"],
    welsh: [
      "amgylchedd", "sbwriel", "biniau", "ailgylchu", "parc", "parciau", "mannau gwyrdd", "man gwyrdd", "coed", "tipio anghyfreithlon",
      "llygredd", "baw ci", "llifogydd", "gwastraff", "natur", "blodau", "caeau",
    ],
    welshWeak: ["glan", "bin"],
  },
  young_people: {
    strong: [
      "for the lads", "for lads", "lads to do", "for the youngsters", "for teenagers", "for the teenagers", "teenagers to do",
      "primary school", "secondary school", "high school", "academy", "sats", "gcses", "exams", "under 18s", "holiday activities", "summer holidays", "half term", "play scheme", "playscheme", "camhs", "childrens centres", "primary age", "young mums", "teenage", "for the young",
      "young people", "young person", "youth", "youth club", "youth clubs", "youth centre", "youth worker", "youth workers",
      "youth services", "youth provision", "teenagers", "teenager", "teen", "young ones", "young lads", "youngsters",
      "things for kids", "for the kids", "for kids", "for children", "for the children", "kids to do", "children to do",
      "for young people", "to play", "playground", "playgrounds", "play area", "play areas",
      "play equipment", "play park", "skate park", "skatepark", "toddler", "toddlers", "toddler group", "baby group", "childcare",
      "child care", "nursery", "nurseries", "free school meals", "school uniform", "school leaver", "school leavers", "schools",
      "school", "sixth form", "young carer", "young carers", "after school", "holiday club", "school holidays", "children centre",
      "childrens centre", "sure start", "kids club", "youths", "uni", "students", "pupils", "homework",
      "scouts", "brownies", "cadets", "young families", "teens",
    ],
    weak: [
      "holidays", "mums", "parents", "families", "family",
      "children", "young", "kids", "kid", "child", "lads", "play", "college", "university", "babies", "baby", "boys", "girls", "bored"],
    welsh: [
      "pobl ifanc", "ieuenctid", "clwb ieuenctid", "gofal plant", "ysgolion", "ysgol", "meithrinfa", "plant bach", "arddegau",
      "chwarae", "parc chwarae", "ifanc",
    ],
    welshWeak: ["plant"],
  },
  community_spaces: {
    strong: [
      "cuppa", "somewhere to sit", "places to sit", "socialise", "socialising", "social events", "fun days", "fun day", "festivals", "street parties", "street party", "lunch club", "knit and natter", "meeting rooms", "meeting room", "room hire", "hire a room", "community garden", "community cafe", "community shop", "bowling green", "bowls club", "childrens centre", "childrens centres", "mosque", "church", "churches", "gurdwara", "temple", "community spaces",
      "community centre", "community centres", "community hall", "community space", "community spaces", "community hub",
      "community cafe", "community building", "church hall", "village hall", "library", "libraries", "warm space", "warm spaces",
      "warm hub", "warm hubs", "warm bank", "places to meet", "place to meet", "somewhere to meet", "places to go",
      "somewhere to go", "nowhere to go", "meeting place", "meeting places", "day centre", "day centres", "leisure centre",
      "swimming baths", "swimming pool", "social club", "working mens club", "drop in", "museum", "theatre", "cinema",
      "community events", "community groups", "meet up", "get together", "bingo", "pub", "pubs",
      "venue", "venues", "luncheon club", "coffee morning", "mens shed", "clubs",
    ],
    weak: [
      "chat", "social", "company", "coffee", "tea", "get togethers", "friends", "neighbourly",
      "community", "hall", "hub", "cafe", "groups", "activities", "events", "meet", "centre", "centres", "baths", "space", "spaces", "club"],
    welsh: [
      "canolfan gymunedol", "canolfannau cymunedol", "canolfan", "llyfrgell", "llyfrgelloedd", "neuadd", "neuadd y pentref",
      "lle i gwrdd", "mannau cymunedol", "lle i gyfarfod", "cymuned", "cymunedol",
    ],
    welshWeak: ["caffi", "tafarn", "clwb"],
  },
  high_street: {
    strong: [
      "empty units", "shop units", "nail bars", "cash machine", "cash machines", "cashpoint", "atm", "atms", "butchers", "bakery", "baker", "greengrocer", "grocer", "greengrocers", "shops closing", "shutters", "dead town", "retail park", "department store", "bank branch", "town centres", "shopkeeper", "chip shop", "chippy", "newsagent", "corner shop", "late night shop",
      "high street", "high st", "town centre", "city centre", "town center", "city center", "shops", "shopping", "empty shops",
      "boarded up shops", "shop fronts", "shopfronts", "market", "markets", "market hall", "indoor market", "outdoor market",
      "retail", "retailers", "shopping centre", "small business", "small businesses", "independent shops", "local shops",
      "post office", "supermarket", "supermarkets", "footfall", "business rates", "charity shops", "vape shops", "betting shops",
      "bookies", "pound shops", "ghost town", "banks closing", "bank closing", "restaurants", "takeaways", "shopkeepers",
      "traders", "high streets", "town centres", "precinct",
      "nightlife",
    ],
    weak: [
      "units", "barbers", "cafes", "hairdressers",
      "run down", "regeneration", "shop", "town", "bank", "banks", "businesses", "business", "cafe", "toilets", "benches", "centre", "stores", "store"],
    welsh: ["siopau", "stryd fawr", "canol y dref", "canol dref", "canol y ddinas", "marchnad", "busnesau lleol", "siopau gwag"],
    welshWeak: ["siop", "busnesau", "tref"],
  },
  digital: {
    strong: [
      "mobile reception", "dead zone", "not spots", "phone data", "ipad", "chromebook", "online forms", "apply online", "internet access", "passwords", "password", "scam emails", "smart tv", "zoom calls", "get on the internet", "use the internet", "use a computer", "digital help", "data poverty", "signal drops",
      "digital", "internet", "wifi", "wi fi", "broadband", "fibre", "fiber", "phone signal", "mobile signal", "signal", "4g", "5g",
      "online", "get online", "go online", "getting online", "computer", "computers", "laptop", "laptops", "smartphone",
      "smart phone", "video call", "zoom", "nhs app", "it skills", "computer skills", "digital skills", "digital exclusion",
      "connectivity", "dial up", "mobile data", "devices", "technology", "websites", "website", "use email",
      "apps", "tablets", "it classes", "coding",
    ],
    weak: [
      "mobile", "texts",
      "data", "connection", "tablet", "email", "app", "phone", "device", "tech"],
    welsh: ["rhyngrwyd", "band eang", "digidol", "cyfrifiadur", "cyfrifiaduron", "ar lein", "signal", "technoleg", "wi fi"],
    welshWeak: ["ffon"],
  },
  care_support: {
    strong: [
      "look after", "looks after", "look after my", "looking after my", "care for my", "caring for my", "blind", "deaf", "hearing loss", "partially sighted", "walking frame", "zimmer", "hoist", "care agency", "home visits", "extra care", "assisted living", "occupational therapist", "occupational therapy", "has ms", "with ms", "multiple sclerosis", "motor neurone", "cerebral palsy", "downs syndrome", "carers allowance", "attendance allowance", "elderly neighbours", "old folk", "old folks", "oap", "oaps", "lonely pensioners", "disabled children",
      "social care", "carer", "carers", "care home", "care homes", "nursing home", "nursing homes", "old peoples home",
      "residential home", "home care", "care package", "unpaid carers", "young carer", "young carers", "disabled", "disability",
      "disabilities", "learning disability", "learning disabilities", "wheelchair", "wheelchairs", "mobility scooter", "stairlift",
      "adaptation", "adaptations", "blue badge", "elderly", "older people", "old people", "pensioners", "the elderly",
      "older residents", "dementia", "alzheimers", "autism", "autistic", "adhd", "special needs", "sen", "ehcp", "respite",
      "day centre", "day centres", "home help", "meals on wheels", "support worker", "support workers", "befriending",
      "personal care", "elderly care", "care for the elderly", "care workers", "care worker", "caring for",
      "disabled access", "accessibility", "carer visit", "my carers", "social services", "social worker",
      "social workers", "vulnerable", "pensioner", "older person", "elderly people", "frail", "housebound", "sheltered housing",
      "care",
    ],
    weak: [
      "exhausted", "frail", "poorly",
      "older", "looking after", "accessible", "support", "caring", "mobility", "ramp", "nan", "old", "retired", "wheelchair users", "access"],
    welsh: [
      "gofal", "gofalwyr", "gofalwr", "gofal cymdeithasol", "henoed", "pobl hyn", "anabledd", "anabl", "cartref gofal",
      "cartrefi gofal", "gofalwyr di dal", "cymorth",
    ],
  },
};

/** Phrases that belong to several themes at once. */
export const SHARED_PHRASES: readonly (readonly [phrase: string, themes: readonly ThemeId[]])[] = [
  ["housing benefit", ["housing", "cost_of_living"]],
  ["bedroom tax", ["housing", "cost_of_living"]],
  ["bus fares", ["transport", "cost_of_living"]],
  ["train fares", ["transport", "cost_of_living"]],
  ["free school meals", ["young_people", "cost_of_living"]],
  ["school uniform", ["young_people", "cost_of_living"]],
  ["speeding", ["transport", "safety"]],
  ["speed bumps", ["transport", "safety"]],
  ["speed cameras", ["transport", "safety"]],
  ["road safety", ["transport", "safety"]],
  ["young carer", ["young_people", "care_support"]],
  ["young carers", ["young_people", "care_support"]],
  ["day centre", ["community_spaces", "care_support"]],
  ["day centres", ["community_spaces", "care_support"]],
  ["business rates", ["high_street", "cost_of_living"]],
  ["digital skills", ["digital", "jobs_skills"]],
  ["computer skills", ["digital", "jobs_skills"]],
  ["it skills", ["digital", "jobs_skills"]],
  ["it classes", ["digital", "jobs_skills"]],
  ["nhs app", ["digital", "health_wellbeing"]],
  ["youth centre", ["young_people", "community_spaces"]],
  ["childrens centre", ["young_people", "community_spaces"]],
  ["refuge", ["safety", "housing"]],
  ["refuges", ["safety", "housing"]],
  ["childrens centres", ["young_people", "community_spaces"]],
  ["camhs", ["young_people", "health_wellbeing"]],
  ["carers allowance", ["care_support", "cost_of_living"]],
  ["attendance allowance", ["care_support", "cost_of_living"]],
  ["disabled children", ["care_support", "young_people"]],
  ["cash machine charges", ["high_street", "cost_of_living"]],
  ["noise pollution", ["safety", "environment"]],
  ["scam emails", ["safety", "digital"]],
  ["sheltered housing", ["housing", "care_support"]],
  ["hospital car park", ["transport", "health_wellbeing"]],
  ["hospital parking", ["transport", "health_wellbeing"]],
  ["child poverty", ["cost_of_living", "young_people"]],
  ["disabled access", ["care_support"]],
  ["school leaver", ["young_people", "jobs_skills"]],
  ["school leavers", ["young_people", "jobs_skills"]],
  ["drug addiction", ["health_wellbeing"]],
  ["housing estate", ["housing"]],
  ["cartref gofal", ["care_support"]],
  ["cartrefi gofal", ["care_support"]],
  ["gofal plant", ["young_people"]],
  ["parc chwarae", ["young_people", "environment"]],
  ["pobl ifanc", ["young_people"]],
];

/**
 * Phrases that mean none of the themes although words in them would (each should hold a theme
 * word, or a near miss of one that fuzzy matching must leave alone: "works", "binned"): verbs that look like
 * theme nouns, contact requests, and sayings. Matched like any phrase, and longest wins.
 */
export const IGNORED_PHRASES: readonly string[] = [
  "take care", "dont care", "do not care", "didnt care", "doesnt care", "who cares", "couldnt care less", "care about", "cares about",
  "i care", "we care", "they care", "nobody cares", "no one cares", "anyone care",
  "doesnt work", "dont work", "didnt work", "never works", "not working", "it works", "that works", "works fine", "work out",
  "worked out", "working out", "works", "work on", "work together", "working together", "hard work", "at work", "from work",
  "work hard", "shift work",
  "bin it", "binned", "email me", "e mail me", "emailing me", "email address", "text me", "phone me",
  "my phone", "phone number", "phone call", "on the phone", "mobile number",
  "sick of", "sick and tired", "makes me sick", "of course", "kept in the dark", "safe to say",
  "fair play", "park up",
  "free time", "for free",
  "at home", "get home", "go home", "back home", "home time",
  "working class",
  "support for", "cost me",
  "clean slate", "grass on", "free speech", "pay attention", "charge of",
];

/** Phrases that, before a theme word, mean the writer is not raising it ("no problem with the buses"). */
export const NEGATING_BEFORE: readonly string[] = [
  "no problem with", "no problems with", "no issue with", "no issues with", "no complaints about", "no complaints with",
  "nothing wrong with", "not bothered about", "not bothered by", "not worried about", "not fussed about", "dont care about",
  "do not care about", "dont mind", "dont need", "do not need", "dont use", "never use", "dont do", "do not do", "never do", "happy with", "fine with",
  "not about", "not the", "apart from", "other than", "nothing to do with",
];

/** Words that, after a theme word in the same clause, mean it is not a problem ("the buses are fine"). */
export const NEGATING_AFTER: readonly string[] = [
  "is fine", "are fine", "r fine", "s fine", "is ok", "are ok", "is okay", "are okay", "is good", "are good", "is great", "are great",
  "is alright", "are alright", "is grand", "are grand", "are brilliant", "is brilliant", "is excellent", "are excellent",
  "fine", "are not a problem", "is not a problem", "isnt a problem", "arent a problem", "not a problem", "no problem", "not an issue",
  "is not an issue", "isnt an issue", "arent an issue", "are improving", "have improved", "has improved", "are better now",
];

/** Words that do not count when deciding whether an answer is short (a few words only). */
export const FILLER_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the and or of for to in on at by with more less better worse some any all my our their your his her its " +
    "i we you they it is are was be been please need needs needed want wanted more lots really very just too so " +
    "get getting got sort sorting fix fixing improve improved improving proper decent good bad new help about " +
    "local area round around here there this that these those than then now also as well like would should could " +
    "can cant do dont does doesnt not no yes yeah nothing everything something people things thing stuff " +
    "mwy o y yr a ac i yn ar gyda am well gwell angen os gwelwch dda plis mae na"
  ).split(" "),
);
