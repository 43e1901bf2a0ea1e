# Generator of models/{default,indoor,fast}/{classes.json,model.json} from the COCO panoptic categories and the
# semantic models' class lists in ../shared (run: python3 test/model/families/composite/generate-bundles.py).
import json, os
ROOT=os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
S=os.environ.get('PANOPTIC_STREAM_SHARED', os.path.join(ROOT, '..', 'shared'))
cats=json.load(open(f'{S}/data/coco-panoptic-sample/panoptic_coco_categories.json'))
things=[c for c in cats if c['isthing']]
assert len(things)==80
def read_cls(p):
    out=[]
    for line in open(p):
        i,n,col=line.rstrip('\n').split('\t'); out.append((int(i),n,[int(v) for v in col.split(',')]))
    return out
city=read_cls(f'{S}/models/deeplab-cityscapes-edgetpu/cityscapes_classes.txt')
ade=read_cls(f'{S}/models/deeplabv3-ade20k/ade20k_classes.txt')
ade_fix={45:'chest of drawers',57:'pool table',59:'screen door',65:'coffee table',74:'kitchen island',76:'swivel chair',79:'arcade machine',90:'television receiver',92:'dirt track',106:'conveyer belt',110:'swimming pool',124:'trade name',131:'projection screen',137:'traffic light',142:'crt screen',145:'bulletin board',73:'palm tree',0:'other'}
city_things={6,11,12,13,14,15,16,17,18}  # traffic light + person..bicycle: left to the instance model
ade_things={8,13,20,21,24,31,48,51,66,68,70,75,76,77,81,84,90,91,99,103,104,116,117,119,120,125,126,127,128,136,137,142,144,149}
ade_void={0}
def build(sem, sem_things, sem_void, fix={}):
    classes=[{'id':c['id'],'name':c['name'],'isThing':True,'color':c['color']} for c in things]
    label_ids=[]
    for i,n,col in sem:
        if i in sem_things or i in sem_void: label_ids.append(None); continue
        uid=1000+i
        classes.append({'id':uid,'name':fix.get(i,n),'isThing':False,'color':col})
        label_ids.append(uid)
    return classes,label_ids
thing_ids=[c['id'] for c in things]
out={}
out['city']=build(city,city_things,set())
out['ade']=build(ade,ade_things,ade_void,ade_fix)
for name,key in [('default','city'),('indoor','ade'),('fast','city')]:
    d=f'{ROOT}/models/{name}'; os.makedirs(d,exist_ok=True)
    with open(f'{d}/classes.json','w') as f:
        f.write('[\n'+',\n'.join('  '+json.dumps(c) for c in out[key][0])+'\n]\n')

# ---- manifests ----
def f(name, sha, size, urls=()):
    return {'name': name, 'sha256': sha, 'sizeBytes': size, 'urls': list(urls)}
YOLO11 = {'file': f('yolo11n-seg_int8.onnx','53f3ee0c608985a6d808d4089be56c91011c8c442d2fce37a45c4e279e2ba11e',3383969),
  'input': {'name':'images','width':640,'height':640,'layout':'NCHW','dtype':'float32','scale':1/255,'mean':[0,0,0],'std':[1,1,1],'channelOrder':'RGB','resize':'letterbox','padValue':114},
  'outputs': {'boxes':'output0','protos':'output1'}}
YOLO8 = {'file': f('yolov8n-seg_int8.onnx','a892891617cbadd34d860f66a866393a8d4c487c49f1474e9b6d9e578332e56a',3711949),
  'input': dict(YOLO11['input'], width=320, height=320), 'outputs': {'boxes':'output0','protos':'output1'}}
CITY = {'file': f('cityscapes_deeplab_edgetpu_slim_qdq.onnx','67326eb00f266699aa92711424d94082ae9746eab5cb8e7186f2b062f61d74e6',2157263),
  'input': {'name':'image','width':513,'height':513,'layout':'NHWC','dtype':'float32','scale':1,'mean':[0,0,0],'std':[1,1,1],'channelOrder':'RGB','resize':os.environ.get('CITY_RESIZE','stretch'),'padValue':0},
  'outputs': {'labels':'labels'}}
ADE = {'file': f('ade20k_deeplabv3_mnv2.onnx','b0cbd0b378226059638ebf0c6b98774c4402e13ab8c47c3ccd55a271eae2f29a',9220012),
  'input': {'name':'image','width':513,'height':513,'layout':'NHWC','dtype':'float32','scale':1,'mean':[0,0,0],'std':[1,1,1],'channelOrder':'RGB','resize':'pad-bottom-right','padValue':127.5},
  'outputs': {'labels':'labels'}}
FASTDEPTH = {'file': f('fastdepth_320x320.onnx','b2e03b0cb7608d91c0f7c844af9387ebb611f888bbd977dea9c8c657c321620b',5420669),
  'input': {'name':'input_nhwc','width':320,'height':320,'layout':'NHWC','dtype':'float32','scale':1/255,'mean':[0,0,0],'std':[1,1,1],'channelOrder':'RGB','resize':'stretch','padValue':0},
  'outputs': {'depth':'depth'}}
PYDNET = {'file': f('pydnet_pp_448x640.onnx','7e4dfa72e75f5290a6af976cacbf01b36b9df941de94ab4837251c7e13fad8ec',7902976),
  'input': {'name':'input_nhwc','width':640,'height':448,'layout':'NHWC','dtype':'float32','scale':1/255,'mean':[0,0,0],'std':[1,1,1],'channelOrder':'RGB','resize':'stretch','padValue':0},
  'outputs': {'depth':'disp_0'}}
DEPTHS = {'fastdepth': (FASTDEPTH, {'kind':'metric','unit':'m','scale':1,'shift':0}), 'pydnet': (PYDNET, {'kind':'relative','unit':'relative','scale':1,'shift':0})}
default_depth = os.environ.get('DEFAULT_DEPTH','fastdepth')
def manifest(name, desc, lic, inst, sem, labels, depth):
    comps = {'instance': inst, 'semantic': sem}
    m = {'schemaVersion':1,'name':name,'family':'composite','description':desc,'license':lic,'components':comps,'classesFile':'classes.json',
         'params': {'instance': {'classIds': thing_ids,'confThreshold':0.25,'iouThreshold':0.7,'maxDetections':100,'maskThreshold':0.5},
                    'semantic': {'labelIds': labels},
                    'fusion': {'minInstanceScore':0,'minKeptRatio':0.5,'minStuffAreaFraction':0.001},
                    'schedule':'sequential'},
         'runtime': {'maxBatch':1}}
    if depth:
        comps['depth'] = DEPTHS[depth][0]; m['depth'] = DEPTHS[depth][1]
    return m
LIC = 'instance model AGPL-3.0 (Ultralytics); semantic model Apache-2.0; depth model: tests and local demos only (see docs/depth.md)'
bundles = {
 'default': manifest('default','Streets and general scenes: YOLO11n-seg int8 (COCO things) + DeepLab EdgeTPU Cityscapes (stuff) + depth', LIC, YOLO11, CITY, out['city'][1], default_depth),
 'indoor': manifest('indoor','Rooms and general scenes: YOLO11n-seg int8 (COCO things) + DeepLabV3 MobileNetV2 ADE20K (150-class stuff) + FastDepth (metric, indoor)', LIC, YOLO11, ADE, out['ade'][1], 'fastdepth'),
 'fast': manifest('fast','Faster streets: YOLOv8n-seg int8 at 320×320 + DeepLab EdgeTPU Cityscapes, no depth', LIC.replace('; depth model: tests and local demos only (see docs/depth.md)',''), YOLO8, CITY, out['city'][1], None),
}
def dump(o):
    s = json.dumps(o, indent=2)
    import re
    # keep number arrays on one line
    s = re.sub(r'\[\s+([-0-9.,\s\nnul]+?)\s+\]', lambda m: '[' + ', '.join(x.strip() for x in m.group(1).split(',')) + ']', s)
    return s + '\n'
for n, m in bundles.items():
    open(f'{ROOT}/models/{n}/model.json','w').write(dump(m))
